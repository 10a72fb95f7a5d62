"""Shared by the analysis tests: a fake queue, and an LLM provider plus LRCLIB on the sandbox."""

from __future__ import annotations

import pytest

from core import queues
from tests.analysis.fixtures import analysis_llm  # noqa: F401  (a fixture)
from tests.support.queue import FakeQueue


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Analysis batches, and what an import queues besides (its run, the listening refresh),
    enqueue into this instead of the broker."""
    fake = FakeQueue()
    monkeypatch.setattr(queues, "async_task", fake)
    return fake
