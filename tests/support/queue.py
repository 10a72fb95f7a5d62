"""A stand-in for Django-Q's async_task where a test wants no broker and no cluster."""

from __future__ import annotations


class FakeQueue:
    """Records what would have been enqueued, as (func, *args); thread-safe enough for appends."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.options: list[dict] = []  # each call's q_options (cluster, timeout, task_name)

    def __call__(self, func: str, *args, **kwargs) -> str:
        self.calls.append((func, *args))
        self.options.append(kwargs.get("q_options", {}))
        return f"task-{len(self.calls)}"

    def of(self, func: str) -> list[tuple]:
        return [call for call in self.calls if call[0] == func]


class InlineQueue(FakeQueue):
    """Runs each enqueued task at once, in this process, as a worker would: a round's
    fanned-out chunks run inside the call that queued them. A task that raises is recorded
    in `failures`, as the cluster records a failed task, and the caller goes on."""

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[Exception] = []

    def __call__(self, func: str, *args, **kwargs) -> str:
        from django.utils.module_loading import import_string

        task_id = super().__call__(func, *args, **kwargs)
        try:
            import_string(func)(*args)
        except Exception as failure:  # noqa: BLE001 - kept for the test, as the cluster keeps it
            self.failures.append(failure)
        return task_id
