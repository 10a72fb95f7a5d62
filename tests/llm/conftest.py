"""The llm tests' providers: `primary` (OpenAI-compatible) and `fallback` (Ollama native), both
served by the live LLM sandbox, primary preferred."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from llm.models import ProviderKind
from tests.accounts.factories import UserFactory
from tests.core.factories import StaffFactory
from tests.llm.factories import ProviderFactory

PRIMARY_KEY = "sk-primary-secret-0123456789abcdef"
# What the provider admin needs, and so the staff API and pages: read, change (the router
# actions), and the call records.
OPERATOR_PERMS = ["llm.view_provider", "llm.change_provider", "llm.view_llmcall"]


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
    """Staff who operate the LLM router: the provider admin's permissions, not a superuser."""
    return StaffFactory(perms=OPERATOR_PERMS)


@pytest.fixture
def bare_staff():
    """Staff holding no permission: may sign in to the admin, and nothing more."""
    return StaffFactory()


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def listener():
    return UserFactory()
