"""Shared by the insights tests: a fake queue, and an LLM provider plus LRCLIB on the sandbox."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from insights.services import after_import, queueing, recovery
from llm.models import ProviderKind
from sync.services import run_state
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory
from tests.support.queue import FakeQueue


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Imports, routes and analysis batches enqueue into this instead of the broker."""
    fake = FakeQueue()
    monkeypatch.setattr(run_state, "async_task", fake)
    monkeypatch.setattr(queueing, "async_task", fake)
    monkeypatch.setattr(recovery, "async_task", fake)
    monkeypatch.setattr(after_import, "async_task", fake)
    return fake


@pytest.fixture
def analysis_llm(fresh_llm_sandbox, settings) -> SimpleNamespace:
    """One OpenAI-compatible provider and LRCLIB, both served by the live LLM sandbox."""
    settings.LYRICS_API_URL = fresh_llm_sandbox.lrclib_url
    provider = ProviderFactory(
        name="primary",
        kind=ProviderKind.OPENAI,
        base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL,
        priority=10,
        read_timeout=5.0,
    )
    return SimpleNamespace(sandbox=fresh_llm_sandbox, provider=provider)
