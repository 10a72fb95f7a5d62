"""Health checks re-admit providers that are back, mark down the others, and never buy a completion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from llm.models import CircuitState, LLMCall, ProviderHealth, ProviderKind
from llm.services.health import check_providers
from llm.tasks import check_llm_providers
from tests.llm.factories import LLMCallFactory, ProviderFactory, ProviderHealthFactory
from tests.llm.support import answering_calls, routes_of

pytestmark = pytest.mark.django_db


def test_a_health_check_readmits_a_provider_whose_server_is_back(providers, llm_sandbox):
    ProviderHealthFactory(provider=providers.primary, down=True, consecutive_failures=5)

    results = check_providers()

    assert {(r.provider, r.ok) for r in results} == {("primary", True), ("fallback", True)}
    primary = ProviderHealth.objects.get(provider=providers.primary)
    assert (primary.state, primary.consecutive_failures, primary.opened_until) == (
        CircuitState.CLOSED,
        0,
        None,
    )
    assert primary.last_check_ok is True and primary.last_checked_at is not None
    assert primary.last_latency_ms is not None


def test_a_health_check_costs_no_completion(providers, llm_sandbox):
    runpod = ProviderFactory(
        name="serverless", kind=ProviderKind.RUNPOD, base_url=llm_sandbox.runpod_url("primary"), priority=30
    )

    check_providers()

    counters = llm_sandbox.counters()
    # The sandbox's primary serves both the openai provider and the runpod one here.
    assert routes_of(counters, "primary") == {"GET /v1/models", "GET /v2/{endpoint_id}/health"}
    assert routes_of(counters, "fallback") == {"GET /api/tags"}
    assert answering_calls(counters, "primary") == answering_calls(counters, "fallback") == 0
    assert LLMCall.objects.count() == 0
    assert ProviderHealth.objects.get(provider=runpod).last_check_ok is True


def test_a_health_check_marks_down_a_provider_that_does_not_answer(providers, llm_sandbox):
    llm_sandbox.fault(provider="fallback", kind="down")

    results = check_providers()

    assert {(r.provider, r.ok) for r in results} == {("primary", True), ("fallback", False)}
    fallback = ProviderHealth.objects.get(provider=providers.fallback)
    assert fallback.state == CircuitState.OPEN and fallback.last_check_ok is False
    assert fallback.last_error.startswith("Health check:")


def test_a_health_check_fails_a_server_that_no_longer_serves_the_model(providers, llm_sandbox):
    llm_sandbox.configure_provider("primary", models=["some-other-model"])

    [result] = check_providers(names=["primary"])

    assert not result.ok and "llama-3.1-70b-instruct" in result.error
    assert ProviderHealth.objects.get(provider=providers.primary).state == CircuitState.OPEN


def test_a_disabled_provider_is_checked_only_when_named(providers, llm_sandbox):
    providers.fallback.enabled = False
    providers.fallback.save()

    assert [r.provider for r in check_providers()] == ["primary"]
    assert [r.provider for r in check_providers(names=["fallback"])] == ["fallback"]


def test_the_scheduled_task_checks_every_provider_and_drops_old_call_records(
    providers, llm_sandbox, settings
):
    settings.LLM_CALL_RETENTION_DAYS = 30
    old, recent = LLMCallFactory(provider=providers.primary), LLMCallFactory(provider=providers.primary)
    LLMCall.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))

    assert check_llm_providers() == {"primary": True, "fallback": True}

    assert list(LLMCall.objects.values_list("pk", flat=True)) == [recent.pk]
