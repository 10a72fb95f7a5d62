"""Shared by the routing tests: a stand-in for Django-Q's async_task where no cluster is wanted."""

from __future__ import annotations

import pytest

from core import queues, runs
from tests.support.queue import FakeQueue


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Routes and restores (and the imports some tests run first) enqueue into this instead of the
    broker (core.runs hands every run to it); the cluster tests use the real one."""
    fake = FakeQueue()
    monkeypatch.setattr(queues, "async_task", fake)
    return fake
