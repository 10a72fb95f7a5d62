"""Shared by the sync tests: a stand-in for Django-Q's async_task where no cluster is wanted."""

from __future__ import annotations

import pytest

from insights.services import after_import
from sync.services import run_state


class FakeQueue:
    """Records what would have been enqueued, as (func, *args); thread-safe enough for appends."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, func: str, *args, **kwargs) -> str:
        self.calls.append((func, *args))
        return f"task-{len(self.calls)}"


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Triggers enqueue into this instead of the broker (the cluster tests use the real one)."""
    fake = FakeQueue()
    monkeypatch.setattr(run_state, "async_task", fake)
    monkeypatch.setattr(after_import, "async_task", fake)
    return fake
