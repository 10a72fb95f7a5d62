"""The SyncEvent side of a route run: claiming it and recording its progress and end.

Mirrors sync.services.import_state: the run claims its event with one conditional UPDATE;
every later write is conditional on the claim still being ours. Requesting a route is
routing.services.triggers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from routing.services.removal_guard import PendingRemoval
from sync.models import SyncEvent, SyncKind
from sync.services import run_state
from sync.services.run_state import RunLedger, claim_event

logger = logging.getLogger(__name__)

RUN_ROUTE_TASK = "routing.tasks.run_route"
# In a route's details: the removals the run waits for the listener to confirm, and those
# the listener confirmed (per child Spotify id), which the next run of the event may make.
CONFIRMATION = "confirmation"
CONFIRMED = "confirmed"


def route_schedule_name(event_id: int) -> str:
    return run_state.resume_schedule_name(label=RouteLedger.label, event_id=event_id)


def claim_route(*, event_id: int) -> SyncEvent | None:
    """Move a due, queued route to running for this worker; None if it is not ours to run."""
    return claim_event(
        event_id=event_id, kind=SyncKind.ROUTE, reset={"playlists_done": 0, "items_done": 0},
        select_related=("user", "base__playlist"),
    )  # fmt: skip


class RouteLedger(RunLedger):
    """Writes one claimed route run's progress and outcome onto its SyncEvent.

    Spotify counters are the event's totals (earlier postponed runs plus this one).
    `details` holds the per-child writes, the cache counters and the duration.
    """

    label = "route"
    task = RUN_ROUTE_TASK

    def __init__(self, *, event: SyncEvent) -> None:
        super().__init__(event=event)
        confirmed = (event.details or {}).get(CONFIRMED) or {}
        self.confirmed: dict[str, list[str]] = confirmed if isinstance(confirmed, dict) else {}
        self.details: dict[str, Any] = {"writes": {}}
        if self.confirmed:
            self.details[CONFIRMED] = self.confirmed
        self.started = timezone.now()
        # Set once the run has its metadata fetcher: the cache counters go with the outcome.
        self.cache_counters: Callable[[], dict[str, Any]] | None = None

    def extra_fields(self) -> dict[str, Any]:
        self.details["duration_ms"] = int((timezone.now() - self.started).total_seconds() * 1000)
        return {"details": self.details}

    def planned(self, *, children: int, tracks: int) -> None:
        self._update(playlists_total=children, items_done=tracks, heartbeat_at=timezone.now())

    def child_done(self, *, spotify_id: str, writes: dict[str, int]) -> None:
        self.details["writes"][spotify_id] = writes
        self._update(playlists_done=F("playlists_done") + 1, heartbeat_at=timezone.now())

    def record_child_writes(self, *, spotify_id: str, writes: dict[str, int]) -> None:
        """What a child got before a failure stopped it (written with the failure)."""
        self.details["writes"][spotify_id] = writes

    def complete(self) -> None:
        self._record_cache()
        now = timezone.now()
        self._succeed(heartbeat_at=now)

    def fail(self, reason: str) -> None:
        self._record_cache()
        self._fail(reason)

    def await_confirmation(self, *, pending: list[PendingRemoval]) -> None:
        """Stop before any write and wait for the listener: the event holds its base until they
        confirm (queued again) or discard it (cancelled)."""
        self._record_cache()
        self.details[CONFIRMATION] = {
            "children": [removal.as_dict() for removal in pending],
            "asked_at": timezone.now().isoformat(),
        }
        self._wait(heartbeat_at=timezone.now())

    def _record_cache(self) -> None:
        if self.cache_counters is not None:
            self.details.update(self.cache_counters())
