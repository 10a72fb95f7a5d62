"""Health checks: a cheap GET per provider (never a paid completion) that re-admits the ones
that are back and marks down the ones that are not. Run every 5 minutes and on demand."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from llm.models import LLMCall, Provider
from llm.services import circuit
from llm.services.clients import ProviderConfig, probe
from llm.services.errors import ProviderFailure, ProviderRejected, unexpected_failure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    provider: str
    ok: bool
    latency_ms: int
    error: str = ""


def check_providers(*, names: list[str] | None = None) -> list[CheckResult]:
    """Probe every enabled provider (or only `names`, enabled or not) and update its circuit."""
    providers = Provider.objects.select_related("health").order_by("priority", "name")
    providers = list(
        providers.filter(name__in=names) if names is not None else providers.filter(enabled=True)
    )
    circuit.ensure_health(providers=providers)
    return [check_provider(provider=provider) for provider in providers]


def check_provider(*, provider: Provider) -> CheckResult:
    config = ProviderConfig.from_provider(provider)
    started = time.monotonic()
    try:
        probe(config=config, timeout=min(settings.LLM_HEALTH_CHECK_TIMEOUT, config.read_timeout))
    except Exception as exc:
        # Anything besides the two failures a probe means to raise counts as failing too: one
        # provider's odd answer must not stop the check of the others.
        failure = exc if isinstance(exc, ProviderFailure | ProviderRejected) else unexpected_failure(exc)
        latency_ms = round((time.monotonic() - started) * 1000)
        circuit.record_failure(provider_id=config.id, error=f"Health check: {failure}", checked=True)
        logger.warning(
            "LLM provider %s failed its health check: %s", config.name, failure, exc_info=failure is not exc
        )
        return CheckResult(provider=config.name, ok=False, latency_ms=latency_ms, error=str(failure))
    latency_ms = round((time.monotonic() - started) * 1000)
    circuit.record_success(provider_id=config.id, latency_ms=latency_ms, checked=True)
    return CheckResult(provider=config.name, ok=True, latency_ms=latency_ms)


def prune_calls(*, older_than_days: int | None = None) -> int:
    """Delete per-call records past the retention; returns how many went."""
    days = older_than_days or settings.LLM_CALL_RETENTION_DAYS
    deleted, _ = LLMCall.objects.filter(created_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
