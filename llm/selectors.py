"""Reads for the staff surfaces (API, page, admin). Never writes, never reads an API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from llm.models import CircuitState, LLMCall, Provider, ProviderHealth, RouterState


@dataclass(frozen=True)
class ProviderStatus:
    name: str
    kind: str
    model: str
    priority: int
    enabled: bool
    has_api_key: bool
    state: str
    # Would the next request try it: enabled and closed, or open with its cooldown over.
    available: bool
    consecutive_failures: int
    opened_until: datetime | None
    last_checked_at: datetime | None
    last_check_ok: bool | None
    last_latency_ms: int | None
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    forced: bool
    current: bool


@dataclass(frozen=True)
class RouterStatus:
    providers: list[ProviderStatus]
    current: str | None
    forced: str | None
    # The forced provider is set but cannot be used now (down or disabled): requests fail over.
    forced_unavailable: bool
    next: str | None


def router_status(*, now: datetime | None = None) -> RouterStatus:
    now = now or timezone.now()
    state = RouterState.objects.filter(id=RouterState.SINGLETON_ID).first()
    forced_id = state.forced_provider_id if state else None
    current_id = state.current_provider_id if state else None
    providers = list(with_key_flag(Provider.objects.select_related("health")).order_by("priority", "name"))
    rows = [
        _provider_status(provider, now=now, forced_id=forced_id, current_id=current_id)
        for provider in providers
    ]
    by_id = {provider.pk: row for provider, row in zip(providers, rows, strict=True)}
    forced = by_id.get(forced_id)
    ordered = ([forced] if forced else []) + [row for row in rows if row is not forced]
    next_up = next((row.name for row in ordered if row.available), None)
    return RouterStatus(
        providers=rows,
        current=by_id[current_id].name if current_id in by_id else None,
        forced=forced.name if forced else None,
        forced_unavailable=bool(forced and not forced.available),
        next=next_up,
    )


def _provider_status(
    provider: Provider, *, now: datetime, forced_id: int | None, current_id: int | None
) -> ProviderStatus:
    try:
        health = provider.health
    except ProviderHealth.DoesNotExist:
        health = ProviderHealth(provider_id=provider.pk)  # never called yet: a closed circuit
    if health.state == CircuitState.CLOSED:
        available = True
    elif health.state == CircuitState.OPEN:
        available = health.opened_until is None or health.opened_until <= now
    else:
        available = False  # a trial call is running in some process
    return ProviderStatus(
        name=provider.name,
        kind=provider.kind,
        model=provider.model,
        priority=provider.priority,
        enabled=provider.enabled,
        has_api_key=provider.has_api_key,
        state=health.state,
        available=provider.enabled and available,
        consecutive_failures=health.consecutive_failures,
        opened_until=health.opened_until,
        last_checked_at=health.last_checked_at,
        last_check_ok=health.last_check_ok,
        last_latency_ms=health.last_latency_ms,
        last_success_at=health.last_success_at,
        last_failure_at=health.last_failure_at,
        last_error=health.last_error,
        forced=provider.pk == forced_id,
        current=provider.pk == current_id,
    )


def with_key_flag(providers: QuerySet[Provider]) -> QuerySet[Provider]:
    """The providers without their key column, and `has_api_key` in its place."""
    return providers.defer("api_key").annotate(
        has_api_key=ExpressionWrapper(Q(api_key__isnull=False), output_field=BooleanField())
    )


def recent_calls(*, limit: int = 20) -> QuerySet[LLMCall]:
    return LLMCall.objects.order_by("-created_at", "-id")[:limit]
