"""The RouteRun side of a route: claiming it and recording its progress and end (core.runs:
one conditional UPDATE for the claim; every later write is conditional on the claim still
being ours). Requesting a route is routing.services.triggers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from core import runs
from routing.models import RouteRun, RouteRunKind
from routing.services.removal_guard import PendingRemoval
from spotify.runs import RunLedger

logger = logging.getLogger(__name__)

RUN_ROUTE_TASK = RouteRun.tasks_by_kind[RouteRunKind.ROUTE]
# In a route's details: the removals the run waits for the listener to confirm, and those
# the listener confirmed (per child Spotify id), which the next run of the event may make.
CONFIRMATION = "confirmation"
CONFIRMED = "confirmed"


def claim_run(*, run_id: int, kind: str, select_related: tuple[str, ...] = ()) -> RouteRun | None:
    """Move a due, queued route or restore to running for this worker and load it; None if it is
    not ours to run. Its progress starts over: a resumed run walks its children again."""
    claim = runs.claim(
        RouteRun, pk=run_id, where={"kind": kind}, select_related=select_related,
        children_done=0, tracks=0,
    )  # fmt: skip
    return None if claim is None else claim.run


def claim_route(*, run_id: int) -> RouteRun | None:
    return claim_run(run_id=run_id, kind=RouteRunKind.ROUTE, select_related=("user", "base__playlist"))


class RouteLedger(RunLedger):
    """Writes one claimed route run's progress and outcome onto its RouteRun.

    Spotify counters are the run's totals (earlier postponed runs plus this one).
    `details` holds the per-child writes, the cache counters and the duration.
    """

    label = "route"
    task = RUN_ROUTE_TASK

    def __init__(self, *, event: RouteRun) -> None:
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
        self._update(children_total=children, tracks=tracks, heartbeat_at=timezone.now())

    def child_done(self, *, spotify_id: str, writes: dict[str, int]) -> None:
        self.details["writes"][spotify_id] = writes
        self._update(children_done=F("children_done") + 1, heartbeat_at=timezone.now())

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
        """Stop before any write and wait for the listener: the run holds its base until they
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
