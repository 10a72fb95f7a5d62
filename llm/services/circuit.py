"""Circuits and the router's shared state, all in database rows so every process agrees.

closed → (a failure) → open until `opened_until` → (cooldown passed, one process claims the
trial with a conditional UPDATE) → half-open → success closes, failure reopens for longer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from llm.models import CircuitState, Provider, ProviderHealth, RouterState
from llm.services.errors import ProviderDisabled, UnknownProvider

# A half-open trial older than this (beyond its provider's own timeouts, a repair included)
# was claimed by a process that died: another process may claim it again.
TRIAL_GRACE = timedelta(seconds=30)


def cooldown_seconds(*, failures: int) -> int:
    """base · 2^(failures-1), capped: 30 s, 60 s, 120 s … 15 min with the defaults."""
    base, cap = settings.LLM_CIRCUIT_BASE_COOLDOWN, settings.LLM_CIRCUIT_MAX_COOLDOWN
    exponent = max(failures - 1, 0)
    # Compare before multiplying: 2 ** a large failure count is a needlessly huge integer.
    return cap if exponent >= 32 else min(base * 2**exponent, cap)


def trial_expiry(*, provider: Provider) -> timedelta:
    return timedelta(seconds=2 * (provider.connect_timeout + provider.read_timeout)) + TRIAL_GRACE


def ensure_health(*, providers: list[Provider]) -> None:
    """Give every provider a closed circuit row if it has none yet (new from the admin or env)."""
    missing = [provider for provider in providers if not _has_health(provider)]
    if not missing:
        return
    ProviderHealth.objects.bulk_create(
        [ProviderHealth(provider=provider) for provider in missing], ignore_conflicts=True
    )
    by_id = {provider.pk: provider for provider in missing}
    for health in ProviderHealth.objects.filter(provider__in=missing):
        by_id[health.provider_id].health = health


def _has_health(provider: Provider) -> bool:
    try:
        provider.health  # noqa: B018 - the access is the test
    except ProviderHealth.DoesNotExist:
        return False
    return True


def admit(*, provider: Provider, now: datetime | None = None) -> bool:
    """May this process call `provider` now? Claims the half-open trial when it is due."""
    now = now or timezone.now()
    health = provider.health
    if health.state == CircuitState.CLOSED:
        return True
    rows = ProviderHealth.objects.filter(pk=provider.pk)
    if health.state == CircuitState.OPEN:
        if health.opened_until and health.opened_until > now:
            return False
        # The conditional UPDATE is the claim: of two processes seeing the same expired
        # cooldown, only the one whose UPDATE matches the row still open gets 1 back.
        claimed = rows.filter(state=CircuitState.OPEN, opened_until__lte=now).update(
            state=CircuitState.HALF_OPEN, trial_started_at=now
        )
        return claimed == 1
    # Half-open: someone holds the trial, unless they took so long they must have died.
    stale_before = now - trial_expiry(provider=provider)
    if health.trial_started_at is None or health.trial_started_at > stale_before:
        return False
    claimed = rows.filter(state=CircuitState.HALF_OPEN, trial_started_at__lte=stale_before).update(
        trial_started_at=now
    )
    return claimed == 1


def record_success(*, provider_id: int, latency_ms: int | None, checked: bool = False) -> None:
    """The provider answered: close its circuit (a trial that succeeded, or a re-admission)."""
    now = timezone.now()
    values: dict = {
        "state": CircuitState.CLOSED,
        "consecutive_failures": 0,
        "opened_until": None,
        "trial_started_at": None,
        "updated_at": now,
    }
    if latency_ms is not None:
        values["last_latency_ms"] = latency_ms
    if checked:
        values.update(last_checked_at=now, last_check_ok=True)
    else:
        values["last_success_at"] = now
    ProviderHealth.objects.filter(pk=provider_id).update(**values)


def record_failure(*, provider_id: int, error: str, checked: bool = False) -> ProviderHealth | None:
    """The provider failed: open its circuit for a cooldown that doubles per consecutive failure."""
    now = timezone.now()
    with transaction.atomic():
        health = ProviderHealth.objects.select_for_update().filter(pk=provider_id).first()
        if health is None:  # the provider was deleted meanwhile
            return None
        # A call that began before another process opened the circuit fails too; counting it
        # again would double the cooldown for one outage.
        already_open = health.state == CircuitState.OPEN and health.opened_until and health.opened_until > now
        if not already_open:
            health.consecutive_failures += 1
            health.opened_until = now + timedelta(
                seconds=cooldown_seconds(failures=health.consecutive_failures)
            )
        health.state = CircuitState.OPEN
        health.trial_started_at = None
        health.last_failure_at = now
        health.last_error = error[:500]
        fields = ["state", "consecutive_failures", "opened_until", "trial_started_at", "last_failure_at",
                  "last_error", "updated_at"]  # fmt: skip
        if checked:
            health.last_checked_at, health.last_check_ok = now, False
            fields += ["last_checked_at", "last_check_ok"]
        health.save(update_fields=fields)
    return health


# --- the shared router state ---------------------------------------------------------------------


def router_state() -> RouterState:
    """The singleton row, created on first use (a flush in tests or a fresh database has none)."""
    try:
        state, _ = RouterState.objects.get_or_create(id=RouterState.SINGLETON_ID)
    except IntegrityError:  # another process created it between our SELECT and INSERT
        state = RouterState.objects.get(id=RouterState.SINGLETON_ID)
    return state


def note_choice(*, provider_id: int) -> None:
    """Remember which provider answered last; written only when it changes."""
    router_state()
    RouterState.objects.filter(id=RouterState.SINGLETON_ID).exclude(current_provider_id=provider_id).update(
        current_provider_id=provider_id
    )


def force_provider(*, name: str) -> Provider:
    """Send every request to `name` first, whatever the priorities, until unforced or reset.

    Its circuit still applies: while it is open, requests fail over as usual and the force
    stays, so the provider is used again as soon as it is re-admitted.
    """
    provider = Provider.objects.filter(name=name).first()
    if provider is None:
        raise UnknownProvider(f"No provider is named {name!r}.")
    if not provider.enabled:
        raise ProviderDisabled(f"Provider {name!r} is disabled; enable it before forcing it.")
    router_state()
    RouterState.objects.filter(id=RouterState.SINGLETON_ID).update(
        forced_provider=provider, forced_at=timezone.now()
    )
    return provider


def unforce_provider() -> None:
    router_state()
    RouterState.objects.filter(id=RouterState.SINGLETON_ID).update(forced_provider=None, forced_at=None)


def reset_router() -> None:
    """Forget the current choice and the forced provider, and close every circuit."""
    now = timezone.now()
    with transaction.atomic():
        router_state()
        RouterState.objects.filter(id=RouterState.SINGLETON_ID).update(
            forced_provider=None, forced_at=None, current_provider=None, reset_at=now
        )
        ProviderHealth.objects.update(
            state=CircuitState.CLOSED,
            consecutive_failures=0,
            opened_until=None,
            trial_started_at=None,
            updated_at=now,
        )
