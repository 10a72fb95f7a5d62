"""Two processes' requests after a cooldown: exactly one of them makes the half-open trial call."""

from __future__ import annotations


import pytest

from llm.models import CircuitState, ProviderHealth
from llm.services import complete_json
from tests.llm.factories import ProviderHealthFactory
from tests.llm.support import MESSAGES, MOOD_SCHEMA, answering_calls
from tests.support.concurrency import race


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_callers_after_the_cooldown_make_only_one_trial_call(providers, llm_sandbox):
    ProviderHealthFactory(provider=providers.primary, cooled=True)
    # The trial takes 1.5 s (within primary's read timeout raised to 5 s), so the second caller
    # arrives while it is still running.
    providers.primary.read_timeout = 5.0
    providers.primary.save()
    llm_sandbox.fault(provider="primary", kind="slow", latency_ms=1500, route="/v1/chat/*")
    answers = race(
        2,
        lambda: complete_json(messages=MESSAGES, schema=MOOD_SCHEMA, schema_name="mood", purpose="mood").provider,
    )

    assert sorted(answers) == ["fallback", "primary"]
    assert answering_calls(llm_sandbox.counters(), "primary") == 1
    assert ProviderHealth.objects.get(provider=providers.primary).state == CircuitState.CLOSED
