"""complete_json's `check`: the caller's rules beyond the schema. A refused answer is repaired
once on the same provider (the repair says what was wrong), then the next provider is asked;
a provider whose answers were refused keeps its circuit closed; with every answer refused,
AnswersRefused."""

from __future__ import annotations

import pytest

from llm.models import CallOutcome, CircuitState, LLMCall, ProviderHealth
from llm.services import AnswersRefused, CheckFailed, complete_json
from tests.llm.support import MESSAGES, MOOD_SCHEMA, answering_calls

pytestmark = pytest.mark.django_db
ANGRY = {"mood": "angry", "energy": 9}


def no_anger(data) -> CheckFailed | None:
    if data["mood"] == "angry":
        return CheckFailed(detail="the song is not angry, whatever you heard", summary="an angry mood")
    return None


def ask():
    return complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood", check=no_anger)


def test_a_refused_answer_is_repaired_once_and_the_repair_says_what_was_wrong(providers, llm_sandbox):
    llm_sandbox.fault(provider="primary", kind="answer", content=ANGRY, count=1)

    result = ask()

    assert result.data["mood"] != "angry" and (result.provider, result.attempts) == ("primary", 2)
    assert result.passed_over == ()
    bad = LLMCall.objects.order_by("id").first()
    assert (bad.outcome, bad.error) == (CallOutcome.INVALID, "an angry mood")  # never the detail


def test_refused_twice_the_next_provider_answers_and_the_first_keeps_its_circuit_closed(
    providers, llm_sandbox
):
    llm_sandbox.fault(provider="primary", kind="answer", content=ANGRY, count=2)

    result = ask()

    assert (result.provider, result.attempts) == ("fallback", 3)
    assert result.passed_over == (("primary", "answer refused after one repair (an angry mood)"),)
    assert answering_calls(llm_sandbox.counters(), "primary") == 2
    assert ProviderHealth.objects.get(provider=providers.primary).state == CircuitState.CLOSED


def test_every_answer_refused_raises_answers_refused_with_who_was_asked(providers, llm_sandbox):
    llm_sandbox.fault(provider="*", kind="answer", content=ANGRY)

    with pytest.raises(AnswersRefused, match="primary: answer refused") as refused:
        ask()

    assert [name for name, _ in refused.value.passed_over] == ["primary", "fallback"]
    assert set(ProviderHealth.objects.values_list("state", flat=True)) == {CircuitState.CLOSED}


def test_a_refused_answer_with_the_other_provider_down_still_raises_answers_refused(providers, llm_sandbox):
    # A refusal is the request's trouble, not an outage: postponing it would ask again forever.
    llm_sandbox.fault(provider="primary", kind="answer", content=ANGRY)
    llm_sandbox.fault(provider="fallback", kind="down")

    with pytest.raises(AnswersRefused, match="primary: answer refused") as refused:
        ask()

    assert refused.value.passed_over == (
        ("primary", "answer refused after one repair (an angry mood)"),
        ("fallback", "failed"),
    )
