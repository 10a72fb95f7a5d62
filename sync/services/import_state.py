"""The SyncEvent side of an import run: claiming it, recording progress, and how it ends.

Every write after the claim is conditional on the event still being ours (in progress,
claimed by this worker). If the stuck-event clean-up or an admin ended it meanwhile, the
write touches no row and ClaimLost stops the run, rolling back the playlist in hand.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from accounts.spotify.policy import SpotifyRequestStats
from sync.models import SyncEvent, SyncKind, SyncStatus

logger = logging.getLogger(__name__)

RESUME_TASK = "sync.tasks.run_import"
# Full-scope runs list here the playlists already replaced, so a resumed run skips them.
FULL_SCOPE_DONE = "full_scope_done"
ERROR_LIMIT = 2000


class ClaimLost(Exception):
    """The event is no longer this worker's: stop without writing anything more."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def resume_schedule_name(event_id: int) -> str:
    return f"sync-import-resume-{event_id}"


def claim_import(*, event_id: int) -> SyncEvent | None:
    """Move a due, queued import to in_progress for this worker; None if it is not ours to run.

    One conditional UPDATE, so two deliveries of the same task cannot both win. A resumed
    run keeps its first started_at; its playlist count starts over because it walks the
    whole list again (finished playlists go by at no cost).
    """
    now = timezone.now()
    claimed = (
        SyncEvent.objects.filter(pk=event_id, kind=SyncKind.IMPORT, status=SyncStatus.QUEUED)
        .filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now))
        .update(
            status=SyncStatus.IN_PROGRESS,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            heartbeat_at=now,
            resume_at=None,
            claimed_by=worker_name(),
            playlists_done=0,
            error="",
        )
    )
    if not claimed:
        return None
    return SyncEvent.objects.select_related("user").get(pk=event_id)


class ImportLedger:
    """Writes one claimed run's progress and outcome onto its SyncEvent.

    Spotify counters are the event's totals: what earlier (rate-limited) runs of the same
    event used, plus this run's client stats.
    """

    def __init__(self, *, event: SyncEvent) -> None:
        self.event_id = event.pk
        self.worker = event.claimed_by
        self.stats: SpotifyRequestStats | None = None
        self._base = (event.spotify_requests, event.rate_limited, event.retries)
        self.details: dict[str, Any] = dict(event.details or {})

    @property
    def full_scope_done(self) -> set[str]:
        return set(self.details.get(FULL_SCOPE_DONE, []))

    def counters(self) -> dict[str, int]:
        requests, rate_limited, retries = self._base
        if self.stats is not None:
            requests += self.stats.requests
            rate_limited += self.stats.rate_limited
            retries += self.stats.retries
        return {"spotify_requests": requests, "rate_limited": rate_limited, "retries": retries}

    def _update(self, **fields: Any) -> None:
        updated = SyncEvent.objects.filter(
            pk=self.event_id, status=SyncStatus.IN_PROGRESS, claimed_by=self.worker
        ).update(**fields, **self.counters())
        if not updated:
            raise ClaimLost(f"import #{self.event_id} is no longer claimed by {self.worker}")

    def planned(self, *, playlists_total: int, unchanged: int) -> None:
        """After the listing: how many playlists there are, and how many needed no items."""
        self._update(
            playlists_total=playlists_total,
            playlists_done=F("playlists_done") + unchanged,
            heartbeat_at=timezone.now(),
        )

    def playlist_done(self, *, items: int, record_done: str | None = None) -> None:
        """One playlist's items replaced; call inside that playlist's transaction."""
        fields: dict[str, Any] = {
            "playlists_done": F("playlists_done") + 1,
            "playlists_changed": F("playlists_changed") + 1,
            "items_done": F("items_done") + items,
            "heartbeat_at": timezone.now(),
        }
        if record_done is not None:
            self.details[FULL_SCOPE_DONE] = [*self.details.get(FULL_SCOPE_DONE, []), record_done]
            fields["details"] = self.details
        self._update(**fields)

    def playlist_skipped(self) -> None:
        self._update(playlists_done=F("playlists_done") + 1, heartbeat_at=timezone.now())

    def complete(self) -> None:
        self.details.pop(FULL_SCOPE_DONE, None)
        now = timezone.now()
        self._update(status=SyncStatus.COMPLETED, finished_at=now, heartbeat_at=now, details=self.details)

    def fail(self, reason: str) -> None:
        try:
            self._update(status=SyncStatus.FAILED, error=reason[:ERROR_LIMIT], finished_at=timezone.now())
        except ClaimLost:
            logger.warning("Import #%s failed after losing its claim: %s", self.event_id, reason)

    def postpone(self, *, resume_at: datetime) -> None:
        """Queue the event again for `resume_at` and schedule the task to run then.

        The event stays active (queued), so a trigger meanwhile gets this event rather than
        starting a second import, and nothing done so far is lost or refetched.
        """
        name = resume_schedule_name(self.event_id)
        with transaction.atomic():
            self._update(status=SyncStatus.QUEUED, resume_at=resume_at, claimed_by="", details=self.details)
            # A ONCE schedule deletes itself after it fires; one left over from an earlier
            # postponement that never fired would only start a run that finds nothing to claim.
            Schedule.objects.filter(name=name).delete()
            schedule(RESUME_TASK, self.event_id, schedule_type=Schedule.ONCE, next_run=resume_at, name=name)
