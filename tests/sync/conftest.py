"""Shared by the sync tests: a stand-in for Django-Q's async_task where no cluster is wanted."""

from __future__ import annotations

import pytest

from core import queues
from tests.support.queue import FakeQueue


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Triggers enqueue into this instead of the broker (the cluster tests use the real one)."""
    fake = FakeQueue()
    monkeypatch.setattr(queues, "async_task", fake)
    return fake
