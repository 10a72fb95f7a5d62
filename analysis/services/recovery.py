"""Giving analysis batches back to the queue when their worker or their task was lost.

A batch is never failed for this: analysing a song is repeatable (the claim and the
unique analysis row keep it once), so the batch is queued again and goes on from the
first track it did not count. Three ways find them:

- when a cluster worker spawns (Django-Q2's `post_spawn`), the batches running on this
  host for a process that is gone; its track claims are dropped with them, so the
  resumed batch does not skip the song that worker was in the middle of;
- every 5 minutes (a schedule), running batches with no heartbeat for STALL_AFTER,
  wherever they ran (a worker writes one after every track);
- the same schedule, queued batches whose task never came (a broker that lost it, a
  resume schedule that was deleted) for LOST_AFTER.

Every hand-back is a conditional UPDATE (still running, still claimed by the same
worker), so a batch that moves on meanwhile is left alone; a worker that was only slow
notices at its next track that the batch is no longer its own and stops.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.tasks import async_task

from analysis.models import AnalysisBatch, AnalysisClaim, BatchStatus
from analysis.services.batches import ANALYSE_BATCH_TASK
from core.workers import claimer_gone, this_host

logger = logging.getLogger(__name__)

# A track's analysis takes seconds; every provider timing out in turn, with a repair
# attempt each, stays within minutes. Longer than the claim lifetime, so a resumed batch
# can take over the stalled worker's claim.
STALL_AFTER = timedelta(minutes=20)
# A queued batch waits behind others in the broker; an hour past its due time, its task is lost.
LOST_AFTER = timedelta(hours=1)
WORKER_STOPPED_NOTE = "Resumed: the worker analysing this batch stopped (restart or crash)."
STALLED_NOTE = "Resumed: this batch made no progress for {minutes} minutes (its worker most likely stopped)."
LOST_NOTE = "Queued again: its task never started (the broker lost it)."


def requeue_batches_of_dead_workers(*, host: str | None = None, idle_pid: int | None = None) -> list[int]:
    """Queue again the running batches claimed on `host` by a process that is gone.

    `idle_pid`: a worker that has just spawned (see core.workers.claimer_gone).
    Returns the ids of the batches queued again.
    """
    host = host or this_host()
    rows = AnalysisBatch.objects.filter(
        status=BatchStatus.RUNNING, claimed_by__startswith=f"{host}:"
    ).values_list("pk", "claimed_by", "heartbeat_at", "started_at")
    requeued = []
    for batch_id, claimed_by, heartbeat_at, started_at in rows:
        if not claimer_gone(claimed_by=claimed_by, last_seen=heartbeat_at or started_at, idle_pid=idle_pid):
            continue
        if _hand_back(batch_id=batch_id, claimed_by=claimed_by, note=WORKER_STOPPED_NOTE):
            # The dead worker will never release them; the resumed batch needs the song back.
            AnalysisClaim.objects.filter(claimed_by=claimed_by).delete()
            requeued.append(batch_id)
    if requeued:
        logger.warning("Analysis batches %s queued again: their worker on %s is gone", requeued, host)
    return requeued


def requeue_stalled_batches(
    *, stall_after: timedelta = STALL_AFTER, lost_after: timedelta = LOST_AFTER
) -> list[int]:
    """Queue again running batches silent for `stall_after` and queued ones overdue by `lost_after`."""
    now = timezone.now()
    stalled = AnalysisBatch.objects.filter(status=BatchStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - stall_after) | Q(heartbeat_at__isnull=True, started_at__lt=now - stall_after)
    )
    note = STALLED_NOTE.format(minutes=int(stall_after.total_seconds() // 60))
    requeued = [
        batch_id
        for batch_id, claimed_by in stalled.values_list("pk", "claimed_by")
        if _hand_back(batch_id=batch_id, claimed_by=claimed_by, note=note)
    ]
    for batch_id, due in _overdue_queued(cutoff=now - lost_after):
        # Moving the due time to now is the claim on the hand-back: a second clean-up
        # running at once finds the batch no longer overdue, and the next one waits an hour.
        moved = (
            AnalysisBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED)
            .filter(Q(resume_at=due) | Q(resume_at__isnull=True, created_at=due))
            .update(resume_at=now, error=LOST_NOTE)
        )
        if moved:
            transaction.on_commit(lambda batch_id=batch_id: _enqueue(batch_id=batch_id))
            requeued.append(batch_id)
    if requeued:
        logger.warning("Analysis batches %s queued again (stalled or lost)", requeued)
    return requeued


def _overdue_queued(*, cutoff: datetime) -> list[tuple[int, datetime]]:
    """Queued batches due (resume time, else creation) before `cutoff`, with that due time."""
    return list(
        AnalysisBatch.objects.filter(status=BatchStatus.QUEUED)
        .annotate(due=Coalesce("resume_at", "created_at"))
        .filter(due__lt=cutoff)
        .values_list("pk", "due")
    )


def _hand_back(*, batch_id: int, claimed_by: str, note: str) -> bool:
    """Running and claimed by `claimed_by` → queued, due now, its task enqueued after commit."""
    with transaction.atomic():
        updated = AnalysisBatch.objects.filter(
            pk=batch_id, status=BatchStatus.RUNNING, claimed_by=claimed_by
        ).update(status=BatchStatus.QUEUED, claimed_by="", resume_at=timezone.now(), error=note)
        if updated:
            transaction.on_commit(lambda: _enqueue(batch_id=batch_id))
    return bool(updated)


def _enqueue(*, batch_id: int) -> None:
    try:
        task_id = async_task(ANALYSE_BATCH_TASK, batch_id)
    except Exception:  # any broker failure: the batch stays queued and the schedule tries again
        logger.exception("Could not enqueue analysis batch #%s again", batch_id)
        return
    AnalysisBatch.objects.filter(pk=batch_id).update(task_id=task_id)
