"""The llm tests' providers: `primary` (OpenAI-compatible) and `fallback` (Ollama native), both
served by the live LLM sandbox, primary preferred."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from llm.models import ProviderKind
from tests.accounts.factories import UserFactory
from tests.llm.factories import ProviderFactory

PRIMARY_KEY = "sk-primary-secret-0123456789abcdef"


@pytest.fixture
def providers(fresh_llm_sandbox) -> SimpleNamespace:
    llm_sandbox = fresh_llm_sandbox
    primary = ProviderFactory(
        name="primary",
        kind=ProviderKind.OPENAI,
        base_url=llm_sandbox.openai_url("primary"),
        model="llama-3.1-70b-instruct",
        api_key=PRIMARY_KEY,
        priority=10,
        read_timeout=1.0,
    )
    fallback = ProviderFactory(
        name="fallback",
        kind=ProviderKind.OLLAMA,
        base_url=llm_sandbox.ollama_url("fallback"),
        model="llama3.1:8b",
        priority=20,
        read_timeout=5.0,
    )
    return SimpleNamespace(primary=primary, fallback=fallback)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


@pytest.fixture
def listener():
    return UserFactory()
