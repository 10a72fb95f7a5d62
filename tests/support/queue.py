"""A stand-in for Django-Q's async_task where a test wants no broker and no cluster."""

from __future__ import annotations


class FakeQueue:
    """Records what would have been enqueued, as (func, *args); thread-safe enough for appends."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, func: str, *args, **kwargs) -> str:
        self.calls.append((func, *args))
        return f"task-{len(self.calls)}"

    def of(self, func: str) -> list[tuple]:
        return [call for call in self.calls if call[0] == func]
