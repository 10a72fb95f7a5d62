"""Failing imports whose worker died, so the user sees why and can retry.

An import left "in progress" by a killed worker would block every later import of its
user (one active import per user). Two ways find them:

- when a cluster worker spawns (Django-Q2's `post_spawn`, also after a worker died and
  was replaced), the imports claimed on this host by a process that no longer exists;
- every few minutes (a schedule), imports whose heartbeat is older than 30 minutes,
  wherever they ran.

Each event is failed with a conditional UPDATE (still in progress, still claimed by the
same worker), never by reading, deciding and saving, so a run that moves on meanwhile
is left alone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from core.workers import claimer_gone, this_host
from sync.models import SyncEvent, SyncStatus
from sync.services.run_control import task_for
from sync.services.run_state import LOST_TASK_AFTER, submit

logger = logging.getLogger(__name__)

WORKER_STOPPED_REASON = (
    # Worded for imports and routes alike: the clean-up fails stuck events of both kinds.
    "The worker running this sync stopped (restart or crash). Retry to continue; finished playlists are kept."
)
STALLED_REASON = (
    "This sync made no progress for {minutes} minutes, so its worker has most likely stopped. "
    "Retry to continue; finished playlists are kept."
)
STALL_AFTER = timedelta(minutes=30)


def fail_runs_of_dead_workers(*, host: str | None = None, idle_pid: int | None = None) -> list[int]:
    """Fail the in-progress events claimed on `host` by a process that is gone.

    `idle_pid` is a process known to run no import (a worker that has just spawned):
    an event naming it was claimed by an earlier process that had the same pid.
    Returns the ids of the events failed.
    """
    host = host or this_host()
    claimed_here = SyncEvent.objects.filter(status=SyncStatus.IN_PROGRESS, claimed_by__startswith=f"{host}:")
    failed = []
    rows = claimed_here.values_list("pk", "claimed_by", "heartbeat_at", "started_at")
    for event_id, claimed_by, heartbeat_at, started_at in rows:
        if not claimer_gone(claimed_by=claimed_by, last_seen=heartbeat_at or started_at, idle_pid=idle_pid):
            continue
        updated = SyncEvent.objects.filter(
            pk=event_id, status=SyncStatus.IN_PROGRESS, claimed_by=claimed_by
        ).update(status=SyncStatus.FAILED, error=WORKER_STOPPED_REASON, finished_at=timezone.now())
        if updated:
            failed.append(event_id)
    if failed:
        logger.warning("Failed imports %s: their worker on %s is gone", failed, host)
    return failed


def fail_stalled_runs(*, stall_after: timedelta = STALL_AFTER) -> int:
    """Fail in-progress events with no heartbeat (or start, if none yet) for `stall_after`.

    One UPDATE: the condition is re-checked by the database as it writes each row.
    Returns how many events were failed.
    """
    cutoff = timezone.now() - stall_after
    minutes = int(stall_after.total_seconds() // 60)
    count = (
        SyncEvent.objects.filter(status=SyncStatus.IN_PROGRESS)
        .filter(
            Q(heartbeat_at__lt=cutoff)
            | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
            | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
        )
        .update(
            status=SyncStatus.FAILED,
            error=STALLED_REASON.format(minutes=minutes),
            finished_at=timezone.now(),
        )
    )
    if count:
        logger.warning("Failed %s import(s) with no heartbeat since %s", count, cutoff.isoformat())
    return count


def requeue_lost_runs(*, lost_after: timedelta = LOST_TASK_AFTER) -> list[int]:
    """Enqueue again the queued runs whose task never came (a broker restart lost it).

    Queued, due (no resume time, or one long past) and handed to the broker more than
    `lost_after` ago. Each is taken with a conditional UPDATE of its enqueue time, so two
    sweeps never both enqueue it; a task delivered twice is harmless, as a run claims its
    event atomically. Returns the ids enqueued again.
    """
    now = timezone.now()
    cutoff = now - lost_after
    lost = (
        SyncEvent.objects.filter(status=SyncStatus.QUEUED)
        .filter(Q(resume_at__isnull=True) | Q(resume_at__lt=cutoff))
        .filter(Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", "kind", "enqueued_at")
    )
    requeued = []
    for event_id, kind, enqueued_at in lost:
        taken = SyncEvent.objects.filter(
            pk=event_id, status=SyncStatus.QUEUED, enqueued_at=enqueued_at
        ).update(enqueued_at=now)
        if not taken:
            continue
        try:
            task_id = submit(task=task_for(kind), event_id=event_id)
        except Exception:  # the broker is still away: the next sweep tries again
            logger.exception("Could not enqueue lost %s #%s again", kind, event_id)
            continue
        SyncEvent.objects.filter(pk=event_id).update(task_id=task_id)
        requeued.append(event_id)
    if requeued:
        logger.warning("Queued runs %s had lost their task; enqueued again", requeued)
    return requeued
