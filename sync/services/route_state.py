"""The SyncEvent side of a route run: requesting one per base, claiming it, recording its end.

Mirrors sync.services.import_state: one route queued or running per base is the
database's job (`sync_one_active_route_per_base`); the run claims its event with one
conditional UPDATE; every later write is conditional on the claim still being ours.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from accounts.spotify.policy import SpotifyRequestStats
from sync.models import ACTIVE_STATUSES, BasePlaylist, SyncEvent, SyncKind, SyncStatus
from sync.services.import_state import ERROR_LIMIT, ClaimLost, worker_name

logger = logging.getLogger(__name__)

RUN_ROUTE_TASK = "sync.tasks.run_route"


def route_schedule_name(event_id: int) -> str:
    return f"sync-route-resume-{event_id}"


def request_route(*, base: BasePlaylist, trigger: str) -> tuple[SyncEvent, bool]:
    """Queue a route of `base`, or return the one already queued or running: (event, created).

    The insert runs in a savepoint; if the partial unique index refuses it, the active
    event is returned. The task is enqueued once the row is committed.
    """
    try:
        with transaction.atomic():
            event = SyncEvent.objects.create(
                kind=SyncKind.ROUTE, user_id=base.user_id, base=base, trigger=trigger
            )
    except IntegrityError:
        active = SyncEvent.objects.filter(kind=SyncKind.ROUTE, base=base, status__in=ACTIVE_STATUSES).first()
        if active is None:  # it finished between our insert and this read: try once more
            return request_route(base=base, trigger=trigger)
        return active, False
    transaction.on_commit(lambda: async_task(RUN_ROUTE_TASK, event.pk))
    return event, True


def claim_route(*, event_id: int) -> SyncEvent | None:
    """Move a due, queued route to in_progress for this worker; None if it is not ours to run."""
    now = timezone.now()
    claimed = (
        SyncEvent.objects.filter(pk=event_id, kind=SyncKind.ROUTE, status=SyncStatus.QUEUED)
        .filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now))
        .update(
            status=SyncStatus.IN_PROGRESS,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            heartbeat_at=now,
            resume_at=None,
            claimed_by=worker_name(),
            playlists_done=0,
            items_done=0,
            error="",
        )
    )
    if not claimed:
        return None
    return SyncEvent.objects.select_related("user", "base__playlist").get(pk=event_id)


class RouteLedger:
    """Writes one claimed route run's progress and outcome onto its SyncEvent.

    Spotify counters are the event's totals (earlier postponed runs plus this one).
    `details` holds the per-child writes, the cache counters and the duration.
    """

    def __init__(self, *, event: SyncEvent) -> None:
        self.event_id = event.pk
        self.worker = event.claimed_by
        self.stats: SpotifyRequestStats | None = None
        self._base = (event.spotify_requests, event.rate_limited, event.retries)
        self.details: dict[str, Any] = {"writes": {}}
        self.started = timezone.now()

    def counters(self) -> dict[str, int]:
        requests, rate_limited, retries = self._base
        if self.stats is not None:
            requests += self.stats.requests
            rate_limited += self.stats.rate_limited
            retries += self.stats.retries
        return {"spotify_requests": requests, "rate_limited": rate_limited, "retries": retries}

    def _update(self, **fields: Any) -> None:
        self.details["duration_ms"] = int((timezone.now() - self.started).total_seconds() * 1000)
        updated = SyncEvent.objects.filter(
            pk=self.event_id, status=SyncStatus.IN_PROGRESS, claimed_by=self.worker
        ).update(**fields, **self.counters(), details=self.details)
        if not updated:
            raise ClaimLost(f"route #{self.event_id} is no longer claimed by {self.worker}")

    def planned(self, *, children: int, tracks: int) -> None:
        self._update(playlists_total=children, items_done=tracks, heartbeat_at=timezone.now())

    def child_done(self, *, spotify_id: str, writes: dict[str, int]) -> None:
        self.details["writes"][spotify_id] = writes
        self._update(playlists_done=F("playlists_done") + 1, heartbeat_at=timezone.now())

    def record_child_writes(self, *, spotify_id: str, writes: dict[str, int]) -> None:
        """What a child got before a failure stopped it (written with the failure)."""
        self.details["writes"][spotify_id] = writes

    def complete(self, *, cache: dict[str, Any]) -> None:
        self.details["cache"] = cache
        now = timezone.now()
        self._update(status=SyncStatus.COMPLETED, finished_at=now, heartbeat_at=now)

    def fail(self, reason: str, *, cache: dict[str, Any] | None = None) -> None:
        if cache is not None:
            self.details["cache"] = cache
        try:
            self._update(status=SyncStatus.FAILED, error=reason[:ERROR_LIMIT], finished_at=timezone.now())
        except ClaimLost:
            logger.warning("Route #%s failed after losing its claim: %s", self.event_id, reason)

    def postpone(self, *, resume_at: datetime) -> None:
        """Queue the event again for `resume_at`; a ONCE schedule runs the task then."""
        name = route_schedule_name(self.event_id)
        with transaction.atomic():
            self._update(status=SyncStatus.QUEUED, resume_at=resume_at, claimed_by="")
            Schedule.objects.filter(name=name).delete()
            schedule(
                RUN_ROUTE_TASK, self.event_id, schedule_type=Schedule.ONCE, next_run=resume_at, name=name
            )
