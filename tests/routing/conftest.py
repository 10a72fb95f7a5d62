"""Shared by the routing tests: a stand-in for Django-Q's async_task where no cluster is wanted."""

from __future__ import annotations

import pytest

from insights.services import after_import
from sync.services import run_state
from tests.support.queue import FakeQueue


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Routes and restores (and the imports some tests run first) enqueue into this instead of the
    broker; the cluster tests use the real one. Route runs are enqueued through sync's run_state
    while they are SyncEvents."""
    fake = FakeQueue()
    monkeypatch.setattr(run_state, "async_task", fake)
    monkeypatch.setattr(after_import, "async_task", fake)
    return fake
