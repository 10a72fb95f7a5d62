"""Two processes' requests after a cooldown: exactly one of them makes the half-open trial call."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from llm.models import CircuitState, ProviderHealth
from llm.services import complete_json
from tests.llm.factories import ProviderHealthFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA, answering_calls


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_callers_after_the_cooldown_make_only_one_trial_call(providers, llm_sandbox):
    ProviderHealthFactory(provider=providers.primary, cooled=True)
    # The trial takes 1.5 s (within primary's read timeout raised to 5 s), so the second caller
    # arrives while it is still running.
    providers.primary.read_timeout = 5.0
    providers.primary.save()
    llm_sandbox.fault(provider="primary", kind="slow", latency_ms=1500, route="/v1/chat/*")
    start = threading.Barrier(2)
    answers: list[str] = []
    errors: list[BaseException] = []

    def caller() -> None:
        try:
            start.wait(timeout=10)
            result = complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood")
            answers.append(result.provider)
        except BaseException as exc:  # reported below; a thread's exception would be lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(answers) == ["fallback", "primary"]
    assert answering_calls(llm_sandbox.counters(), "primary") == 1
    assert ProviderHealth.objects.get(provider=providers.primary).state == CircuitState.CLOSED
