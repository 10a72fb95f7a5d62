"""Each provider kind, spoken to over its own dialect of the sandbox: JSON, text, tokens, failures."""

from __future__ import annotations

import jsonschema
import pytest
from django.db import IntegrityError

from llm.models import CircuitState, JsonMode, ProviderHealth, ProviderKind
from llm.services import complete_json, complete_text
from llm.services.clients import openai_response_format
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


# --- the structured-output dialects of OpenAI-compatible servers --------------------------------------
def test_an_openai_provider_sends_the_schema_in_openais_form_by_default():
    assert openai_response_format(json_mode=JsonMode.JSON_SCHEMA, schema=MOOD_SCHEMA, schema_name="mood") == {
        "type": "json_schema",
        "json_schema": {"name": "mood", "schema": MOOD_SCHEMA},
    }


def test_a_llama_cpp_provider_sends_the_schema_as_a_json_object_with_its_schema():
    # llama.cpp's server answers the json_schema form with HTTP 500 (tests/llm/test_local_llm_server.py).
    assert openai_response_format(
        json_mode=JsonMode.JSON_OBJECT_SCHEMA, schema=MOOD_SCHEMA, schema_name="mood"
    ) == {"type": "json_object", "schema": MOOD_SCHEMA}


def test_the_database_refuses_a_json_mode_for_a_kind_that_has_only_one_form():
    with pytest.raises(IntegrityError):
        ProviderFactory(kind=ProviderKind.RUNPOD, json_mode=JsonMode.JSON_OBJECT_SCHEMA)
