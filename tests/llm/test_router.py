"""complete_json/complete_text against the live LLM sandbox: priority, fail-over, circuits, force, reset."""

from __future__ import annotations

from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from llm.models import CallOutcome, CircuitState, LLMCall, ProviderHealth, RouterState
from llm.services import AllProvidersDown, complete_json, complete_text, router
from llm.services.circuit import admit, cooldown_seconds, force_provider, reset_router
from llm.services.clients import Completion
from tests.llm.factories import ProviderFactory, ProviderHealthFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA, answering_calls

pytestmark = pytest.mark.django_db


def ask(purpose: str = "mood"):
    return complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose=purpose)


def health(provider) -> ProviderHealth:
    return ProviderHealth.objects.get(provider=provider)


# --- priority -------------------------------------------------------------------------------------
def test_a_request_goes_to_the_preferred_provider_and_returns_schema_valid_json(providers, llm_sandbox):
    result = ask()

    jsonschema.validate(result.data, MOOD_SCHEMA)
    assert (result.provider, result.model, result.attempts) == ("primary", "llama-3.1-70b-instruct", 1)
    assert result.prompt_tokens > 0 and result.completion_tokens > 0 and result.latency_ms >= 0
    assert answering_calls(llm_sandbox.counters(), "fallback") == 0
    call = LLMCall.objects.get()
    assert (call.provider_name, call.outcome, call.purpose) == ("primary", CallOutcome.OK, "mood")
    assert call.prompt_tokens == result.prompt_tokens
    assert RouterState.objects.get().current_provider == providers.primary


def test_the_lower_priority_number_wins_whatever_the_names(providers):
    providers.primary.priority = 30
    providers.primary.save()

    assert ask().provider == "fallback"


def test_a_disabled_provider_is_never_asked(providers, llm_sandbox):
    providers.primary.enabled = False
    providers.primary.save()

    assert ask().provider == "fallback"
    assert answering_calls(llm_sandbox.counters(), "primary") == 0


def test_complete_text_returns_the_answer_as_text(providers):
    result = complete_text(messages=MESSAGES, purpose="insight")

    assert isinstance(result.data, str) and result.data.strip()
    assert result.provider == "primary"


def test_a_schema_that_is_itself_invalid_fails_before_any_call(providers, llm_sandbox):
    with pytest.raises(jsonschema.SchemaError):
        complete_json(messages=MESSAGES, schema={"type": "nonsense"}, schema_name="bad", purpose="mood")

    assert llm_sandbox.counters()["total"] == 0


# --- fail-over inside one request -------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "down"},
        {"kind": "status", "status": 500},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 429},
        {"kind": "slow", "latency_ms": 2500},  # primary's read timeout is 1 s
        {"kind": "model_not_found"},
    ],
    ids=["down", "500", "503", "429", "timeout", "model-not-found"],
)
def test_a_failing_primary_is_answered_by_fallback_in_the_same_request(providers, llm_sandbox, fault):
    llm_sandbox.fault(provider="primary", count=1, **fault)

    result = ask()

    assert (result.provider, result.attempts) == ("fallback", 2)
    jsonschema.validate(result.data, MOOD_SCHEMA)
    primary = health(providers.primary)
    assert (primary.state, primary.consecutive_failures) == (CircuitState.OPEN, 1)
    assert primary.last_error and primary.last_failure_at is not None
    expected = timezone.now() + timedelta(seconds=cooldown_seconds(failures=1))
    assert abs((primary.opened_until - expected).total_seconds()) < 5
    assert [c.outcome for c in LLMCall.objects.order_by("id")] == [CallOutcome.UNAVAILABLE, CallOutcome.OK]


def test_while_the_circuit_is_open_requests_skip_the_provider_without_calling_it(providers, llm_sandbox):
    ProviderHealthFactory(provider=providers.primary, down=True)

    first, second = ask(), ask()

    assert (first.provider, second.provider) == ("fallback", "fallback")
    assert (first.attempts, second.attempts) == (1, 1)
    assert answering_calls(llm_sandbox.counters(), "primary") == 0


# --- the half-open trial ---------------------------------------------------------------------------
def test_after_the_cooldown_one_trial_call_goes_through_and_its_success_closes_the_circuit(
    providers, llm_sandbox
):
    ProviderHealthFactory(provider=providers.primary, cooled=True, consecutive_failures=3)

    result = ask()

    assert result.provider == "primary"
    primary = health(providers.primary)
    assert (primary.state, primary.consecutive_failures, primary.opened_until) == (
        CircuitState.CLOSED,
        0,
        None,
    )
    assert primary.trial_started_at is None and primary.last_success_at is not None


def test_a_failed_trial_reopens_the_circuit_for_twice_as_long(providers, llm_sandbox):
    ProviderHealthFactory(provider=providers.primary, cooled=True, consecutive_failures=1)
    llm_sandbox.fault(provider="primary", kind="status", status=502, count=1)

    assert ask().provider == "fallback"

    primary = health(providers.primary)
    assert (primary.state, primary.consecutive_failures) == (CircuitState.OPEN, 2)
    cooldown = (primary.opened_until - timezone.now()).total_seconds()
    assert cooldown_seconds(failures=2) - 5 < cooldown <= cooldown_seconds(failures=2)


def test_the_trial_is_claimed_once_the_second_claim_for_the_same_cooldown_is_refused(providers):
    ProviderHealthFactory(provider=providers.primary, cooled=True)
    first_view = type(providers.primary).objects.select_related("health").get(pk=providers.primary.pk)
    second_view = type(providers.primary).objects.select_related("health").get(pk=providers.primary.pk)

    # Both processes read the same expired cooldown; only one UPDATE matches the open row.
    assert admit(provider=first_view) is True
    assert admit(provider=second_view) is False
    assert health(providers.primary).state == CircuitState.HALF_OPEN


def test_a_trial_running_elsewhere_sends_requests_to_the_next_provider(providers, llm_sandbox):
    ProviderHealthFactory(
        provider=providers.primary, state=CircuitState.HALF_OPEN, trial_started_at=timezone.now()
    )

    assert ask().provider == "fallback"
    assert answering_calls(llm_sandbox.counters(), "primary") == 0


def test_a_trial_whose_process_died_is_claimed_again_after_its_timeouts(providers):
    ProviderHealthFactory(
        provider=providers.primary,
        state=CircuitState.HALF_OPEN,
        trial_started_at=timezone.now() - timedelta(hours=1),
    )

    assert ask().provider == "primary"
    assert health(providers.primary).state == CircuitState.CLOSED


def test_the_cooldown_doubles_per_consecutive_failure_up_to_the_cap(settings):
    settings.LLM_CIRCUIT_BASE_COOLDOWN, settings.LLM_CIRCUIT_MAX_COOLDOWN = 30, 900

    assert [cooldown_seconds(failures=n) for n in (1, 2, 3, 4, 5, 6, 50, 10_000)] == [
        30, 60, 120, 240, 480, 900, 900, 900,
    ]  # fmt: skip


# --- invalid answers: one repair, then fail-over ------------------------------------------------------
@pytest.mark.parametrize("variant", ["content", "schema"])
def test_an_invalid_answer_is_repaired_once_on_the_same_provider(providers, llm_sandbox, variant):
    llm_sandbox.fault(provider="primary", kind="malformed", count=1, variant=variant)

    result = ask()

    jsonschema.validate(result.data, MOOD_SCHEMA)
    assert (result.provider, result.attempts) == ("primary", 2)
    assert answering_calls(llm_sandbox.counters(), "primary") == 2
    assert [c.outcome for c in LLMCall.objects.order_by("id")] == [CallOutcome.INVALID, CallOutcome.OK]
    assert health(providers.primary).state == CircuitState.CLOSED


def test_a_raw_newline_inside_a_string_is_read_as_is_not_sent_back_for_repair(monkeypatch):
    # llama.cpp's schema grammar lets a model write control characters inside strings.
    ProviderFactory(name="only")
    answer = Completion(text='{"mood": "calm", "energy": 3, "note": "two\nlines"}', model="m",
                        prompt_tokens=1, completion_tokens=1)  # fmt: skip
    monkeypatch.setattr(router, "complete", lambda **kwargs: answer)
    schema = {**MOOD_SCHEMA, "properties": {**MOOD_SCHEMA["properties"], "note": {"type": "string"}}}

    result = complete_json(messages=MESSAGES, schema=schema, schema_name="mood", purpose="mood")

    assert (result.data["note"], result.attempts) == ("two\nlines", 1)


def test_an_answer_nested_too_deep_is_an_invalid_answer_repaired_not_a_crash(providers, llm_sandbox):
    # A model steered (by planted lyrics, say) into 100,000 levels would make json recurse past
    # Python's limit: the answer is refused as unusable and repaired like any other.
    llm_sandbox.fault(provider="primary", kind="answer", content="[" * 100_000 + "]" * 100_000, count=1)

    result = ask()

    jsonschema.validate(result.data, MOOD_SCHEMA)
    assert (result.provider, result.attempts) == ("primary", 2)
    first = LLMCall.objects.order_by("id").first()
    assert first.outcome == CallOutcome.INVALID and "nested more than 32 levels deep" in first.error


def test_an_answer_invalid_twice_fails_over_and_opens_the_circuit(providers, llm_sandbox):
    llm_sandbox.fault(provider="primary", kind="malformed", count=2)

    result = ask()

    assert (result.provider, result.attempts) == ("fallback", 3)
    assert answering_calls(llm_sandbox.counters(), "primary") == 2
    primary = health(providers.primary)
    assert primary.state == CircuitState.OPEN and "after one repair" in primary.last_error


# --- everything down ----------------------------------------------------------------------------------
def test_when_every_provider_fails_the_caller_is_told_when_to_retry(providers, llm_sandbox, settings):
    settings.LLM_CIRCUIT_BASE_COOLDOWN = 30
    llm_sandbox.fault(provider="primary", kind="down")
    llm_sandbox.fault(provider="fallback", kind="status", status=503)

    with pytest.raises(AllProvidersDown) as caught:
        ask()

    assert 25 <= caught.value.retry_after <= 30
    assert {h.state for h in ProviderHealth.objects.all()} == {CircuitState.OPEN}
    assert LLMCall.objects.count() == 2


def test_when_every_circuit_is_open_nothing_is_called_and_retry_after_is_the_nearest_cooldown_end(
    providers, llm_sandbox
):
    ProviderHealthFactory(provider=providers.primary, down=True)  # a minute left
    ProviderHealthFactory(
        provider=providers.fallback,
        state=CircuitState.OPEN,
        opened_until=timezone.now() + timedelta(seconds=12),
    )

    with pytest.raises(AllProvidersDown) as caught:
        ask()

    assert 10 <= caught.value.retry_after <= 12
    assert llm_sandbox.counters()["total"] == 0


def test_without_any_enabled_provider_the_request_waits_the_longest_cooldown(db, settings):
    with pytest.raises(AllProvidersDown) as caught:
        ask()

    assert caught.value.retry_after == settings.LLM_CIRCUIT_MAX_COOLDOWN
    assert "No provider is enabled" in str(caught.value)


def test_a_request_every_provider_refuses_is_rejected_without_opening_circuits(providers, llm_sandbox):
    from llm.services import RequestRejected

    llm_sandbox.fault(provider="primary", kind="status", status=400, count=1)
    llm_sandbox.fault(provider="fallback", kind="status", status=400, count=1)

    with pytest.raises(RequestRejected):
        ask()

    assert {h.state for h in ProviderHealth.objects.all()} == {CircuitState.CLOSED}


# --- force and reset -------------------------------------------------------------------------------
def test_a_forced_provider_is_used_first_whatever_its_priority(providers, llm_sandbox):
    force_provider(name="fallback")

    assert ask().provider == "fallback"
    assert answering_calls(llm_sandbox.counters(), "primary") == 0


def test_when_the_forced_provider_fails_the_request_fails_over_and_the_force_stays(providers, llm_sandbox):
    from llm.selectors import router_status

    force_provider(name="fallback")
    llm_sandbox.fault(provider="fallback", kind="down", count=1)

    assert ask().provider == "primary"

    status = router_status()
    assert (status.forced, status.forced_unavailable, status.next, status.current) == (
        "fallback", True, "primary", "primary",
    )  # fmt: skip


def test_reset_forgets_the_forced_and_current_provider_and_closes_every_circuit(providers):
    ask()
    force_provider(name="fallback")
    ProviderHealth.objects.filter(provider=providers.primary).update(
        state=CircuitState.OPEN, consecutive_failures=4, opened_until=timezone.now() + timedelta(minutes=8)
    )

    reset_router()

    state = RouterState.objects.get()
    assert (state.forced_provider, state.current_provider) == (None, None) and state.reset_at
    primary = health(providers.primary)
    assert (primary.state, primary.consecutive_failures, primary.opened_until) == (
        CircuitState.CLOSED,
        0,
        None,
    )
    assert ask().provider == "primary"
