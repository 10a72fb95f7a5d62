"""What a provider answers is read within limits: a reply nested 10,000 levels deep, larger than
OUTBOUND_MAX_ANSWER_BYTES, not JSON, or of a shape nothing expects is that provider failing, in
our words, and the request fails over to the next provider. The odd provider is a real server on
loopback (the tests' setting lets them reach it); the next one is the live LLM sandbox."""

from __future__ import annotations

import json

import pytest

from llm.models import CallOutcome, CircuitState, LLMCall, ProviderHealth, ProviderKind
from llm.services import complete_json, router
from llm.services.clients import NOT_OPENAI, TOO_DEEP
from llm.services.health import check_providers
from tests.llm.factories import ProviderFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA
from tests.support.stub_server import stub_server

pytestmark = pytest.mark.django_db

SECRET = "INTERNAL-ANSWER-root:x:0:0"  # a part of the answer; must show in no error
PATHS = {ProviderKind.OPENAI: "/v1", ProviderKind.OLLAMA: "", ProviderKind.RUNPOD: "/v2/endpoint"}
NESTED = "[" * 10_000 + json.dumps(SECRET) + "]" * 10_000
LIMIT = 64 * 1024
TOO_LARGE = "The answer was larger than 64 KB (65,536 bytes)."
# An answer each kind would accept but for its size: the secret is in its text.
TEXT = SECRET + "x" * (2 * LIMIT)
LARGE = {
    ProviderKind.OPENAI: {"choices": [{"message": {"content": TEXT}}]},
    ProviderKind.OLLAMA: {"message": {"content": TEXT}},
    ProviderKind.RUNPOD: {"status": "COMPLETED", "output": {"choices": [{"text": TEXT}]}},
}


def _ask():
    return complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")


def _odd_provider(*, kind: str, url: str):
    """A provider preferred to the sandbox's two (priority 1), at the stub server `url`."""
    return ProviderFactory(name="odd", kind=kind, base_url=f"{url}{PATHS[kind]}", priority=1)


def _assert_failed_over(odd, *, reason: str) -> None:
    """`odd` failed with `reason`, recorded like any failure, and the next provider answered."""
    call = LLMCall.objects.get(provider=odd)
    assert (call.outcome, call.error) == (CallOutcome.UNAVAILABLE, reason)
    health = ProviderHealth.objects.get(provider=odd)
    assert (health.state, health.consecutive_failures, health.last_error) == (CircuitState.OPEN, 1, reason)
    assert LLMCall.objects.get(provider_name="primary").outcome == CallOutcome.OK


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (ProviderKind.OLLAMA, "The answer was nested more than 32 levels deep."),
        (ProviderKind.RUNPOD, "The answer was nested more than 32 levels deep."),
        (ProviderKind.OPENAI, TOO_DEEP),  # the SDK reads it, and ends in a RecursionError
    ],
)
def test_an_answer_nested_ten_thousand_deep_fails_that_provider_in_our_words_and_fails_over(
    providers, kind, reason
):
    with stub_server(body=NESTED) as odd_server:
        odd = _odd_provider(kind=kind, url=odd_server.url)

        result = _ask()

    assert (result.provider, result.attempts) == ("primary", 2)
    _assert_failed_over(odd, reason=reason)


@pytest.mark.parametrize("send_length", [True, False], ids=["declared", "unknown-length"])
@pytest.mark.parametrize("kind", list(PATHS))
def test_an_answer_larger_than_the_limit_fails_that_provider_and_fails_over(
    providers, settings, kind, send_length
):
    settings.OUTBOUND_MAX_ANSWER_BYTES = LIMIT
    with stub_server(body=json.dumps(LARGE[kind]), send_length=send_length) as odd_server:
        odd = _odd_provider(kind=kind, url=odd_server.url)

        result = _ask()

    assert result.provider == "primary"
    _assert_failed_over(odd, reason=TOO_LARGE)


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        (ProviderKind.OPENAI, f"<html>{SECRET}</html>", "The answer was not JSON."),
        (ProviderKind.OPENAI, f'{{"{SECRET}": ', "The answer was not JSON."),
        (ProviderKind.OPENAI, json.dumps([SECRET]), "The answer had no choices."),
        (ProviderKind.OPENAI, json.dumps({"choices": SECRET}), "The answer had no choices."),
        (ProviderKind.OPENAI, json.dumps({"choices": [{"message": {"content": [SECRET]}}]}),
         "The answer had no message content."),
        (ProviderKind.OLLAMA, json.dumps([SECRET]), "The answer was not a JSON object."),
        (ProviderKind.RUNPOD, json.dumps({"status": [SECRET]}), "The job ended in an unknown state."),
        (ProviderKind.RUNPOD, json.dumps({"status": "COMPLETED", "output": {"choices": SECRET}}),
         "The job's output had no choices."),
        (ProviderKind.RUNPOD, json.dumps({"status": "COMPLETED", "output": {"choices": [{"text": [1]}]}}),
         "The job's output had no text."),
    ],
    ids=[
        "openai-html", "openai-truncated", "openai-list", "openai-choices-string", "openai-content-list",
        "ollama-list", "runpod-status-list", "runpod-choices-string", "runpod-text-list",
    ],
)  # fmt: skip
def test_an_answer_of_an_unexpected_shape_fails_that_provider_in_fixed_words_and_fails_over(
    providers, kind, body, reason
):
    with stub_server(body=body) as odd_server:
        odd = _odd_provider(kind=kind, url=odd_server.url)

        result = _ask()

    assert result.provider == "primary"
    _assert_failed_over(odd, reason=reason)


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        (ProviderKind.OPENAI, NESTED, TOO_DEEP),
        (ProviderKind.OPENAI, f"<html>{SECRET}</html>", "The answer was not JSON."),
        (ProviderKind.OPENAI, json.dumps([SECRET]), NOT_OPENAI),
        (ProviderKind.OLLAMA, NESTED, "The answer was nested more than 32 levels deep."),
        (ProviderKind.RUNPOD, NESTED, "The answer was nested more than 32 levels deep."),
    ],
    ids=["openai-nested", "openai-html", "openai-list", "ollama-nested", "runpod-nested"],
)
def test_a_health_check_of_an_unreadable_answer_marks_the_provider_down_in_our_words(
    providers, kind, body, reason
):
    with stub_server(body=body) as odd_server:
        odd = _odd_provider(kind=kind, url=odd_server.url)

        results = {result.provider: result for result in check_providers()}

    assert (results["odd"].ok, results["odd"].error) == (False, reason)
    assert results["primary"].ok and results["fallback"].ok  # checked after the odd one
    assert ProviderHealth.objects.get(provider=odd).last_error == f"Health check: {reason}"


# --- the router's last resort ---------------------------------------------------------------------
# Every answer above ends in a ProviderFailure. What a provider's call might still raise besides
# (a bug of ours in reading some answer) cannot be served by a real server, so `complete` is
# wrapped to raise it for primary; fallback's call is the real one.


def _complete_failing_for(name: str, exc: Exception, real):
    def complete(*, config, **kwargs):
        if config.name == name:
            raise exc
        return real(config=config, **kwargs)

    return complete


def test_a_provider_raising_something_unexpected_counts_as_failing_and_the_request_fails_over(
    providers, monkeypatch, caplog
):
    failing = _complete_failing_for("primary", KeyError(SECRET), router.complete)
    monkeypatch.setattr(router, "complete", failing)

    result = _ask()

    assert (result.provider, result.attempts) == ("fallback", 2)
    reason = "Unexpected error (KeyError)."
    call = LLMCall.objects.get(provider_name="primary")
    assert (call.outcome, call.error) == (CallOutcome.UNAVAILABLE, reason)
    primary = ProviderHealth.objects.get(provider=providers.primary)
    assert (primary.state, primary.last_error) == (CircuitState.OPEN, reason)
    assert "LLM provider primary raised KeyError" in caplog.text


def test_an_unexpected_error_after_the_call_fails_that_provider_over_too(providers, monkeypatch, caplog):
    # Reading primary's answer raises (fallback's is read as usual): the error comes from the
    # router's own steps after the call, where only the last resort can catch it.
    real_parse = router._parse
    read = []

    def parse(text, *, request):
        read.append(text)
        if len(read) == 1:  # primary's answer: the first one
            raise RecursionError
        return real_parse(text, request=request)

    monkeypatch.setattr(router, "_parse", parse)

    result = _ask()

    assert result.provider == "fallback"
    primary = ProviderHealth.objects.get(provider=providers.primary)
    assert (primary.state, primary.last_error) == (CircuitState.OPEN, "Unexpected error (RecursionError).")
    assert "LLM provider primary failed with RecursionError; failing over." in caplog.text


def test_a_health_check_raising_something_unexpected_marks_that_provider_down_and_checks_the_rest(
    providers, monkeypatch
):
    from llm.services import health

    real_probe = health.probe

    def probe(*, config, timeout):
        if config.name == "primary":
            raise TypeError(SECRET)
        return real_probe(config=config, timeout=timeout)

    monkeypatch.setattr(health, "probe", probe)

    results = {result.provider: result for result in check_providers()}

    assert (results["primary"].ok, results["primary"].error) == (False, "Unexpected error (TypeError).")
    assert results["fallback"].ok
    primary = ProviderHealth.objects.get(provider=providers.primary)
    assert primary.last_error == "Health check: Unexpected error (TypeError)."
