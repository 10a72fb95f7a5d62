"""The router against the real local LLM (SmolLM2-135M behind llama.cpp's server, the `local_llm`
fixture): a provider in the json_object_schema dialect, fail-over to it inside one request, and
the one repair on the same provider.

llama.cpp turns the schema into a grammar that holds keys, types, enums and lengths but not
numeric ranges, so `energy` may come back out of 0..1: the router's own validation is what
catches it. Told the range only, SmolLM2-135M wrote energy 1.5 to 10 in 9 answers of 30; with
an example in the prompt it copies the example's figures and stayed in range in 12 of 12 (six
songs). It does not repair: sent back its answer and the problem, it repeats the answer. The
prompt states every range and gives the example. The server seeds its sampler when it starts:
a session that sends the same requests in the same order gets the same answers.
"""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pytest

from llm.models import CallOutcome, CircuitState, JsonMode, LLMCall, ProviderHealth, ProviderKind, RouterState
from llm.services import complete_json, router
from tests.llm.factories import ProviderFactory
from tests.llm.support import answering_calls

pytestmark = [pytest.mark.local_llm, pytest.mark.django_db]

MOODS = ["joyful", "melancholic", "angry", "calm", "romantic", "defiant", "nostalgic", "hopeful"]
# Shaped like a song analysis.
ANALYSIS_SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": MOODS},
        "energy": {"type": "number", "minimum": 0, "maximum": 1},
        "themes": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 30},
            "minItems": 1,
            "maxItems": 4,
        },
        "summary": {"type": "string", "maxLength": 200},
    },
    "required": ["mood", "energy", "themes", "summary"],
    "additionalProperties": False,
}
SYSTEM = (
    "You analyse songs and answer with one JSON object:\n"
    f"- mood: one of {', '.join(MOODS)}\n"
    "- energy: a decimal number from 0 to 1 (0 = very calm, 0.5 = moderate, 1 = very intense); "
    "never above 1\n"
    "- themes: 1 to 4 short phrases, each at most 30 characters\n"
    "- summary: one short sentence, at most 200 characters\n"
    'Example: {"mood": "calm", "energy": 0.3, "themes": ["rain", "home"], '
    '"summary": "A quiet song about coming home."}'
)
SONGS = ['"Here Comes the Sun" by The Beatles', '"Hurt" by Johnny Cash', '"Creep" by Radiohead']


def analyse(song: str = SONGS[0]):
    return complete_json(
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"Analyse {song}."}],
        schema=ANALYSIS_SCHEMA,
        schema_name="analysis",
        purpose="analysis",
    )


@pytest.fixture
def local(local_llm):
    """The local model as a provider row, the way LLM_PROVIDERS describes it for the demo."""
    return ProviderFactory(
        name="local",
        kind=ProviderKind.OPENAI,
        json_mode=JsonMode.JSON_OBJECT_SCHEMA,
        base_url=local_llm.openai_base_url,
        model=local_llm.model,
        priority=20,
        read_timeout=60.0,  # one completion at a time, on 2 cores shared with the test run
        max_tokens=256,
    )


def calls() -> list[tuple[str, str]]:
    return [(call.provider_name, call.outcome) for call in LLMCall.objects.order_by("id")]


@pytest.mark.parametrize("song", SONGS)
def test_the_local_model_answers_schema_valid_json_and_the_call_is_recorded(local, song):
    result = analyse(song)

    jsonschema.validate(result.data, ANALYSIS_SCHEMA)
    assert (result.provider, result.model, result.attempts) == ("local", "smollm2-135m-instruct", 1)
    assert result.latency_ms > 0 and result.prompt_tokens > 0 and result.completion_tokens > 0
    call = LLMCall.objects.get()
    assert (call.provider_name, call.model, call.outcome, call.purpose) == (
        "local", "smollm2-135m-instruct", CallOutcome.OK, "analysis",
    )  # fmt: skip
    assert 0 < call.latency_ms <= result.latency_ms
    assert (call.prompt_tokens, call.completion_tokens) == (result.prompt_tokens, result.completion_tokens)
    health = ProviderHealth.objects.get(provider=local)
    assert health.state == CircuitState.CLOSED and health.last_latency_ms is not None
    assert RouterState.objects.get().current_provider == local


def test_a_dead_primary_fails_over_to_the_local_model_in_the_same_request(local, fresh_llm_sandbox):
    primary = ProviderFactory(
        name="primary",
        kind=ProviderKind.OPENAI,
        base_url=fresh_llm_sandbox.openai_url("primary"),
        model="llama-3.1-70b-instruct",
        priority=10,
    )
    fresh_llm_sandbox.fault(provider="primary", kind="down")

    result = analyse()

    jsonschema.validate(result.data, ANALYSIS_SCHEMA)
    assert (result.provider, result.attempts) == ("local", 2)
    assert calls() == [("primary", CallOutcome.UNAVAILABLE), ("local", CallOutcome.OK)]
    dead = LLMCall.objects.get(provider_name="primary")
    assert dead.latency_ms < 1000  # a refused connection: the fail-over costs no waiting
    assert fresh_llm_sandbox.requests_to("primary") == 1
    assert ProviderHealth.objects.get(provider=primary).state == CircuitState.OPEN
    assert RouterState.objects.get().current_provider == local

    # While its circuit is open, the next request goes straight to the local model.
    assert analyse(SONGS[1]).attempts == 1
    assert fresh_llm_sandbox.requests_to("primary") == 1


def test_an_answer_invalid_twice_on_the_primary_fails_over_to_the_local_model(local, fresh_llm_sandbox):
    ProviderFactory(
        name="primary",
        kind=ProviderKind.OPENAI,
        base_url=fresh_llm_sandbox.openai_url("primary"),
        model="llama-3.1-70b-instruct",
        priority=10,
    )
    fresh_llm_sandbox.fault(provider="primary", kind="malformed", variant="schema", count=2)

    result = analyse()

    jsonschema.validate(result.data, ANALYSIS_SCHEMA)
    assert (result.provider, result.attempts) == ("local", 3)
    assert calls() == [
        ("primary", CallOutcome.INVALID), ("primary", CallOutcome.INVALID), ("local", CallOutcome.OK),
    ]  # fmt: skip
    assert answering_calls(fresh_llm_sandbox.counters(), "primary") == 2


def test_an_out_of_range_number_is_sent_back_once_to_the_local_model_then_fails_over(
    local, fresh_llm_sandbox, monkeypatch
):
    """The grammar cannot hold energy to 0..1, so the router's validation must. The model's first
    answer gets energy 7 (what SmolLM2 writes unprompted, but on cue); the repair request is then
    the real model's to answer. SmolLM2 usually repeats itself, so either branch may follow."""
    ProviderFactory(
        name="fallback",
        kind=ProviderKind.OLLAMA,
        base_url=fresh_llm_sandbox.ollama_url("fallback"),
        model="llama3.1:8b",
        priority=30,
    )
    real_complete, sent = router.complete, []

    def first_answer_out_of_range(**kwargs):
        completion = real_complete(**kwargs)
        sent.append(kwargs["messages"])
        if len(sent) == 1:
            data = json.loads(completion.text, strict=False)
            completion = dataclasses.replace(completion, text=json.dumps({**data, "energy": 7}))
        return completion

    monkeypatch.setattr(router, "complete", first_answer_out_of_range)

    result = analyse()

    jsonschema.validate(result.data, ANALYSIS_SCHEMA)
    first, repair = LLMCall.objects.order_by("id")[:2]
    assert (first.provider_name, first.outcome) == ("local", CallOutcome.INVALID)
    assert first.error == "$.energy: breaks the schema's 'maximum' rule"  # staff read it: no value
    assert repair.provider_name == "local"  # the same provider, once
    quoted = sent[1][-2]  # the bad answer goes back as the model's own turn, then the problem
    assert quoted["role"] == "assistant" and json.loads(quoted["content"])["energy"] == 7
    assert "$.energy: 7 is greater than the maximum of 1" in sent[1][-1]["content"]
    if repair.outcome == CallOutcome.OK:
        assert (result.provider, result.attempts) == ("local", 2)
    else:
        assert (result.provider, result.attempts) == ("fallback", 3)
        health = ProviderHealth.objects.get(provider=local)
        assert health.state == CircuitState.OPEN and "after one repair" in health.last_error
