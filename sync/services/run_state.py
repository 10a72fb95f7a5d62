"""What import and route runs share on their SyncEvent: the claim and the ledger mechanics.

A run claims its event with one conditional UPDATE (two deliveries of the same task cannot
both win), and every later write is conditional on the event still being ours (in
progress, claimed by this worker). If the stuck-event clean-up or an admin ended it
meanwhile, the write touches no row and ClaimLost stops the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.tasks import async_task

from core.schedules import schedule_once
from core.workers import worker_name
from spotify.errors import (
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)
from spotify.policy import SpotifyRequestStats
from sync.models import SyncEvent, SyncKind, SyncStatus

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000
# What a run that lost its grant, or whose server's app Spotify rejects, tells the listener.
RECONNECT_MESSAGE = f"{describe(ReconnectNeeded())} Then retry."
MISCONFIGURED_MESSAGE = describe(SpotifyMisconfigured())


class ClaimLost(Exception):
    """The event is no longer this worker's: stop without writing anything more."""


class RunStepFailed(Exception):
    """Spotify failed in a way worth telling the user; `reason` says where and what it answered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def spotify_step(what_failed: str, *, hint: str) -> Iterator[None]:
    """Turn Spotify's failures (after the client's own retries) into a reason a person can read."""
    try:
        yield
    except (SpotifyUnavailable, SpotifyRefused) as exc:
        raise RunStepFailed(f"{what_failed}: {describe(exc)} {hint}") from exc


def resume_schedule_name(*, label: str, event_id: int) -> str:
    """The Django-Q schedule that resumes a postponed run; one per event."""
    return f"sync-{label}-resume-{event_id}"


def claim_event(*, event_id: int, kind: SyncKind, reset: dict[str, Any]) -> bool:
    """Move a due, queued event of `kind` to in_progress for this worker; False if not ours to run.

    A resumed run keeps its first started_at; `reset` names the progress fields it starts over.
    """
    now = timezone.now()
    claimed = (
        SyncEvent.objects.filter(pk=event_id, kind=kind, status=SyncStatus.QUEUED)
        .filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now))
        .update(
            status=SyncStatus.IN_PROGRESS,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            heartbeat_at=now,
            resume_at=None,
            claimed_by=worker_name(),
            error="",
            **reset,
        )
    )
    return bool(claimed)


class RunLedger:
    """Writes one claimed run's progress and outcome onto its SyncEvent.

    Spotify counters are the event's totals: what earlier (rate-limited) runs of the same
    event used, plus this run's client stats. Subclasses name their task and add the
    progress steps of their kind.
    """

    label = "run"
    task = ""

    def __init__(self, *, event: SyncEvent) -> None:
        self.event_id = event.pk
        self.worker = event.claimed_by
        self.stats: SpotifyRequestStats | None = None
        self._base = (event.spotify_requests, event.rate_limited, event.retries)

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
            raise ClaimLost(f"{self.label} #{self.event_id} is no longer claimed by {self.worker}")

    def schedule_name(self) -> str:
        return resume_schedule_name(label=self.label, event_id=self.event_id)

    def fail(self, reason: str) -> None:
        self._fail(reason)

    def postpone(self, *, resume_at: datetime) -> None:
        self._postpone(resume_at=resume_at)

    def _fail(self, reason: str, **fields: Any) -> None:
        try:
            self._update(
                status=SyncStatus.FAILED, error=reason[:ERROR_LIMIT], finished_at=timezone.now(), **fields
            )
        except ClaimLost:
            logger.warning("%s #%s failed after losing its claim: %s", self.label, self.event_id, reason)

    def _postpone(self, *, resume_at: datetime, **fields: Any) -> None:
        """Queue the event again for `resume_at` and schedule the task to run then.

        The event stays active (queued), so a trigger meanwhile gets this event rather than
        starting a second run, and nothing done so far is lost or refetched.
        """
        name = self.schedule_name()
        with transaction.atomic():
            self._update(status=SyncStatus.QUEUED, resume_at=resume_at, claimed_by="", **fields)
            schedule_once(self.task, self.event_id, at=resume_at, name=name)


def run_to_end(*, ledger: RunLedger, body: Callable[[], None], unexpected: str) -> None:
    """Run `body` (which completes the ledger) and turn how it stops into the event's outcome.

    The same for imports and routes: a lost claim stops quietly, a long rate limit queues
    the event again, a lost grant or a readable Spotify failure fails it with a reason, and
    anything else fails it with `unexpected` and is re-raised so Django-Q records it too.
    """
    name = f"{ledger.label.capitalize()} #{ledger.event_id}"
    try:
        body()
    except ClaimLost:
        logger.warning("%s was ended elsewhere while running; stopped.", name)
    except SpotifyRateLimited as exc:
        logger.info("%s postponed by Spotify's rate limit until %s.", name, exc.resume_at.isoformat())
        ledger.postpone(resume_at=exc.resume_at)
    except ReconnectNeeded:
        ledger.fail(RECONNECT_MESSAGE)
    except SpotifyMisconfigured:
        ledger.fail(MISCONFIGURED_MESSAGE)
    except RunStepFailed as exc:
        ledger.fail(exc.reason)
    except Exception:
        logger.exception("%s stopped on an unexpected error.", name)
        ledger.fail(unexpected)
        raise


# A queued run nobody picked up for this long lost its task (a broker flushed, a cluster
# killed before it acknowledged): the next trigger enqueues it again. Safe, because a run
# claims its event atomically and a second task finds nothing to do.
LOST_TASK_AFTER = timedelta(minutes=15)


def task_looks_lost(event: SyncEvent) -> bool:
    if event.status != SyncStatus.QUEUED:
        return False
    return (event.resume_at or event.created_at) < timezone.now() - LOST_TASK_AFTER


def enqueue_run(*, event_id: int, task: str, label: str, failed_reason: str) -> None:
    """Enqueue `task(event_id)` once the current transaction commits (at once outside one).

    A broker that does not answer fails the still-queued event with `failed_reason`, so
    it never stays queued for ever (and blocks the next trigger).
    """
    transaction.on_commit(
        lambda: _enqueue_now(event_id=event_id, task=task, label=label, reason=failed_reason)
    )


def submit(*, task: str, event_id: int) -> str:
    """Hand `task(event_id)` to the broker now; its task id. Raises whatever the broker raises."""
    return async_task(task, event_id)


def _enqueue_now(*, event_id: int, task: str, label: str, reason: str) -> None:
    try:
        task_id = submit(task=task, event_id=event_id)
    except Exception:  # any broker failure
        logger.exception("Could not enqueue %s #%s", label, event_id)
        # Only a still-queued event: a worker may have picked up an earlier task meanwhile.
        SyncEvent.objects.filter(pk=event_id, status=SyncStatus.QUEUED).update(
            status=SyncStatus.FAILED, error=reason, finished_at=timezone.now()
        )
        return
    # Only these are written: the worker may already be updating the rest of the row.
    SyncEvent.objects.filter(pk=event_id).update(task_id=task_id, enqueued_at=timezone.now())
    logger.info("Enqueued %s #%s as task %s", label, event_id, task_id)
