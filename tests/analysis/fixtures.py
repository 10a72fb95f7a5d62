"""Fixtures of the analysis tests that other apps' tests use too (insights' listening refresh
and insight writer run against the same provider and LRCLIB): their conftest imports them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from llm.models import ProviderKind
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory


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
