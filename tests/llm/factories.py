"""Factories of the llm app: providers."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from llm.models import CircuitState, LLMCall, Provider, ProviderHealth, ProviderKind


class ProviderFactory(DjangoModelFactory):
    """An OpenAI-compatible provider at an address where nothing listens (port 9, discard):
    point `base_url` at the sandbox for calls that should be answered."""

    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"provider-{n}")
    kind = ProviderKind.OPENAI
    base_url = "http://127.0.0.1:9/v1"
    model = "llama-3.1-70b-instruct"
    priority = factory.Sequence(lambda n: (n + 1) * 10)
    connect_timeout = 2.0
    read_timeout = 10.0
    max_tokens = 256


class ProviderHealthFactory(DjangoModelFactory):
    """A closed circuit. Traits: `down` (open, cooling off for a minute), `cooled` (open, the
    cooldown just over: the next request may claim the half-open trial)."""

    class Meta:
        model = ProviderHealth

    provider = factory.SubFactory(ProviderFactory)
    state = CircuitState.CLOSED

    class Params:
        down = factory.Trait(
            state=CircuitState.OPEN,
            consecutive_failures=1,
            opened_until=factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=1)),
            last_error="HTTP 503 (Service Unavailable).",
        )
        cooled = factory.Trait(
            state=CircuitState.OPEN,
            consecutive_failures=1,
            opened_until=factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1)),
        )


class LLMCallFactory(DjangoModelFactory):
    class Meta:
        model = LLMCall

    provider = factory.SubFactory(ProviderFactory)
    provider_name = factory.SelfAttribute("provider.name")
    model = factory.SelfAttribute("provider.model")
    purpose = "test"
    outcome = "ok"
    latency_ms = 120
    prompt_tokens = 40
    completion_tokens = 12
