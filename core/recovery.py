"""Lost runs: core.runs' one rule for every run, and the sweeps that act on it.

A run is lost when it is queued and due but its task, handed to the broker LOST_AFTER ago (the
model's `lost_after`), never claimed it (`requeue_lost`: enqueued again; safe, since a second
delivery finds nothing to claim); or running with no heartbeat for longer than a task may run
(`recover_stalled`: the cluster kills a task at Q_TIMEOUT, so its worker is gone); or running
for a worker process that is gone (`recover_orphans`, when a worker spawns). A dead worker's
run is queued again when its model resumes safely (`resume_orphans`), else failed with a reason.

Every hand-back is a conditional UPDATE (still running, still claimed by the same worker), so a
run that moves on meanwhile is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import queues, runs
from core.runs import ERROR_LIMIT, QueuedRun, RunStatus
from core.signals import run_ended_without_worker
from core.workers import claimer_gone, this_host

logger = logging.getLogger(__name__)

# Past a task's time limit the cluster has killed it, so a running run silent for longer has no
# worker; the minute covers the worker's last write and clock skew between machines.
STALL_MARGIN = timedelta(seconds=60)


def stall_after(model: type[QueuedRun]) -> timedelta:
    """No heartbeat for longer than a task of the model's queue may run: its worker is gone."""
    return timedelta(seconds=queues.timeout(model.queue)) + STALL_MARGIN


def looks_lost(run: QueuedRun, *, now: datetime | None = None) -> bool:
    """The "lost" rule on a row in hand (no query): queued, due, its task long unclaimed; or
    running with no heartbeat for longer than a task may run."""
    now = now or timezone.now()
    if run.status == RunStatus.QUEUED:
        if run.enqueued_at is None and run.held_until_fed:
            return False
        cutoff = now - run.lost_after
        if run.resume_at is not None and run.resume_at > cutoff:
            return False
        return (run.enqueued_at or run.created_at) < cutoff
    if run.status == RunStatus.RUNNING:
        return (run.heartbeat_at or run.started_at or run.created_at) < now - stall_after(type(run))
    return False


def _queued_lost(model: type[QueuedRun], *, cutoff: datetime) -> Q:
    # Due (not postponed, or due since before the cutoff) and handed over before the cutoff; a
    # row never handed over counts from its creation, unless its model holds such rows back.
    handed = Q(enqueued_at__lt=cutoff)
    if not model.held_until_fed:
        handed |= Q(enqueued_at__isnull=True, created_at__lt=cutoff)
    return Q(status=RunStatus.QUEUED) & (Q(resume_at__isnull=True) | Q(resume_at__lte=cutoff)) & handed


def _stalled(*, cutoff: datetime) -> Q:
    return Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


def lost_filter(model: type[QueuedRun]) -> Q:
    """looks_lost as a filter, for an UPDATE that re-checks the rule as it writes."""
    now = timezone.now()
    return _queued_lost(model, cutoff=now - model.lost_after) | _stalled(cutoff=now - stall_after(model))


def requeue_lost(model: type[QueuedRun], *, lost_after: timedelta | None = None) -> list[int]:
    """Enqueue again the queued runs whose task never came; the ids enqueued again.

    Queued, due LOST_AFTER ago (or not postponed) and handed to the broker LOST_AFTER ago.
    Each is taken by a conditional UPDATE of its enqueue time, so two sweeps never both send it.
    """
    now = timezone.now()
    cutoff = now - (lost_after or model.lost_after)
    lost = model.objects.filter(_queued_lost(model, cutoff=cutoff))
    requeued = []
    for run in lost.only("pk", "enqueued_at", *_task_fields(model)):
        taken = model.objects.filter(pk=run.pk, status=RunStatus.QUEUED, enqueued_at=run.enqueued_at).update(
            enqueued_at=now
        )
        if not taken:
            continue
        try:
            task_id = runs.submit(model=model, task=run.task_name(), pk=run.pk)
        except Exception:  # the broker is still away: the next sweep tries again
            logger.exception("Could not enqueue lost %s #%s again", model.run_label, run.pk)
            continue
        model.objects.filter(pk=run.pk).update(task_id=task_id)
        requeued.append(run.pk)
    if requeued:
        logger.warning("Queued %s runs %s had lost their task; enqueued again", model.run_label, requeued)
    return requeued


def recover_stalled(model: type[QueuedRun]) -> list[int]:
    """Running runs with no heartbeat for longer than a task may run: resumed or failed."""
    stalled = model.objects.filter(_stalled(cutoff=timezone.now() - stall_after(model)))
    minutes = max(1, round(stall_after(model).total_seconds() / 60))
    return _hand_back_all(
        model,
        stalled.values_list("pk", "claimed_by"),
        reason=model.stalled_reason.format(label=model.run_label, minutes=minutes, after=_after(model)),
    )


def recover_orphans(
    model: type[QueuedRun], *, host: str | None = None, idle_pid: int | None = None
) -> list[int]:
    """Running runs claimed on `host` by a process that is gone: resumed or failed.

    `idle_pid`: a worker that has just spawned (see core.workers.claimer_gone).
    """
    host = host or this_host()
    rows = model.objects.filter(status=RunStatus.RUNNING, claimed_by__startswith=f"{host}:").values_list(
        "pk", "claimed_by", "heartbeat_at", "started_at"
    )
    orphans = [
        (pk, claimed_by)
        for pk, claimed_by, heartbeat_at, started_at in rows
        if claimer_gone(claimed_by=claimed_by, last_seen=heartbeat_at or started_at, idle_pid=idle_pid)
    ]
    reason = model.resumed_note if model.resume_orphans else model.orphaned_reason
    return _hand_back_all(model, orphans, reason=reason)


def _after(model: type[QueuedRun]) -> str:
    return "It goes on from where it stopped." if model.resume_orphans else "Retry to continue."


def _hand_back_all(model: type[QueuedRun], rows: Iterable[tuple[int, str]], *, reason: str) -> list[int]:
    handed = []
    for pk, claimed_by in list(rows):
        if _hand_back(model, pk=pk, claimed_by=claimed_by, reason=reason):
            model.released(claimed_by=claimed_by)
            handed.append(pk)
    if handed:
        what = "queued again" if model.resume_orphans else "failed"
        logger.warning("%s runs %s %s: their worker is gone", model.run_label.capitalize(), handed, what)
    return handed


def _hand_back(model: type[QueuedRun], *, pk: int, claimed_by: str, reason: str) -> bool:
    """Running and claimed by `claimed_by` → queued again (enqueued after commit) or failed."""
    mine = model.objects.filter(pk=pk, status=RunStatus.RUNNING, claimed_by=claimed_by)
    if not model.resume_orphans:
        failed = mine.update(status=RunStatus.FAILED, error=reason[:ERROR_LIMIT], finished_at=timezone.now())
        if failed:
            run_ended_without_worker.send(sender=model, pk=pk)
        return bool(failed)
    with transaction.atomic():
        updated = mine.update(status=RunStatus.QUEUED, claimed_by="", resume_at=None, error=reason[:ERROR_LIMIT])
        if updated:
            runs.enqueue_on_commit(model.objects.get(pk=pk))
    return bool(updated)


def _task_fields(model: type[QueuedRun]) -> tuple[str, ...]:
    # A model running several kinds of task names the field its task_name() reads.
    return tuple(getattr(model, "task_fields", ()))
