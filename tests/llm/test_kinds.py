"""Each provider kind, spoken to over its own dialect of the sandbox: JSON, text, tokens, failures."""

from __future__ import annotations

import jsonschema
import pytest

from llm.models import CircuitState, ProviderHealth, ProviderKind
from llm.services import complete_json, complete_text
from tests.llm.factories import ProviderFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA, answering_calls

pytestmark = pytest.mark.django_db


def _kinds(sandbox):
    return {
        "openai": dict(kind=ProviderKind.OPENAI, base_url=sandbox.openai_url("primary"),
                       model="llama-3.1-70b-instruct"),
        "ollama": dict(kind=ProviderKind.OLLAMA, base_url=sandbox.ollama_url("fallback"), model="llama3.1:8b"),
        "runpod": dict(kind=ProviderKind.RUNPOD, base_url=sandbox.runpod_url("primary"),
                       model="llama-3.1-70b-instruct"),
        # RunPod's vLLM worker through its OpenAI-compatible route: the openai kind.
        "runpod-openai": dict(kind=ProviderKind.OPENAI, base_url=sandbox.runpod_openai_url("primary"),
                              model="llama-3.1-70b-instruct"),
    }  # fmt: skip


@pytest.mark.parametrize("kind", ["openai", "ollama", "runpod", "runpod-openai"])
def test_every_kind_answers_schema_valid_json_with_token_counts(fresh_llm_sandbox, kind):
    ProviderFactory(name="only", api_key="sk-only", **_kinds(fresh_llm_sandbox)[kind])

    result = complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")

    jsonschema.validate(result.data, MOOD_SCHEMA)
    assert result.provider == "only" and result.attempts == 1
    assert result.prompt_tokens > 0 and result.completion_tokens > 0


@pytest.mark.parametrize("kind", ["openai", "ollama", "runpod"])
def test_every_kind_answers_text(fresh_llm_sandbox, kind):
    ProviderFactory(name="only", **_kinds(fresh_llm_sandbox)[kind])

    result = complete_text(messages=MESSAGES, purpose="insight")

    assert isinstance(result.data, str) and result.data.strip()


@pytest.mark.parametrize("kind", ["ollama", "runpod"])
def test_an_invalid_answer_is_repaired_over_the_native_dialects_too(fresh_llm_sandbox, kind):
    ProviderFactory(name="only", **_kinds(fresh_llm_sandbox)[kind])
    sandbox_name = "fallback" if kind == "ollama" else "primary"
    fresh_llm_sandbox.fault(provider=sandbox_name, kind="malformed", count=1)

    result = complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")

    assert result.attempts == 2
    assert answering_calls(fresh_llm_sandbox.counters(), sandbox_name) == 2


def test_a_failed_runpod_job_fails_over(fresh_llm_sandbox):
    # RunPod reports a worker-side failure as HTTP 200 with status FAILED.
    runpod = ProviderFactory(name="serverless", priority=1, **_kinds(fresh_llm_sandbox)["runpod"])
    ProviderFactory(name="local", priority=2, **_kinds(fresh_llm_sandbox)["ollama"])
    fresh_llm_sandbox.fault(provider="primary", kind="model_not_found", count=1)

    result = complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")

    assert result.provider == "local"
    health = ProviderHealth.objects.get(provider=runpod)
    assert health.state == CircuitState.OPEN and "FAILED" in health.last_error
