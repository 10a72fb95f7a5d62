"""Running one AnalysisBatch: what the `analyse_batch` task calls.

- Claim the batch with one conditional UPDATE (queued and due → running): a second
  delivery of the task finds nothing to do.
- Analyse its tracks in order; each outcome is counted on the batch at once, with the
  position reached, so the page and the admin see progress, whatever was stored stays
  stored, and a resumed batch goes on from there.
- When no LLM provider can answer (AllProvidersDown), the batch goes back to queued with
  a Django-Q ONCE schedule at now + retry_after, like a rate-limited import: it is not
  failed, and it resumes at the first track it did not count.
- Anything unexpected fails the batch with the reason and is re-raised for Django-Q's record;
  its unanalysed tracks are queued again by the next import.
- A batch that ends (completed or failed) as its listener's last active one announces
  analyses_settled (see analysis.services.settling).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from analysis.models import AnalysisBatch, AnalysisBatchTrack, BatchStatus
from analysis.services.analysis import Outcome, analyse_track
from analysis.services.settling import announce_if_settled
from core.schedules import schedule_once
from core.workers import worker_name
from llm.services import AllProvidersDown

logger = logging.getLogger(__name__)

ANALYSE_BATCH_TASK = "analysis.tasks.analyse_batch"
ERROR_LIMIT = 2000
UNEXPECTED_MESSAGE = "The analysis stopped on an unexpected error (details are in the server log)."
COUNTERS = {
    Outcome.ANALYSED: "analysed",
    Outcome.SKIPPED: "skipped",
    Outcome.DEFERRED: "deferred",
    Outcome.FAILED: "failed",
}


def resume_schedule_name(*, batch_id: int) -> str:
    return f"analysis-batch-resume-{batch_id}"


def claim_batch(*, batch_id: int, worker: str) -> bool:
    now = timezone.now()
    claimed = (
        AnalysisBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED)
        .filter(Q(resume_at__isnull=True) | Q(resume_at__lte=now))
        .update(
            status=BatchStatus.RUNNING,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            resume_at=None,
            claimed_by=worker,
            heartbeat_at=now,
            runs=F("runs") + 1,
            error="",
        )
    )
    return bool(claimed)


def run_batch(*, batch_id: int) -> AnalysisBatch | None:
    """Run one queued batch to its end (completed, failed, or queued again for later)."""
    worker = worker_name()
    if not claim_batch(batch_id=batch_id, worker=worker):
        return AnalysisBatch.objects.filter(pk=batch_id).first()
    mine = AnalysisBatch.objects.filter(pk=batch_id, status=BatchStatus.RUNNING, claimed_by=worker)
    start, user_id = AnalysisBatch.objects.values_list("next_position", "user_id").get(pk=batch_id)
    entries = list(
        AnalysisBatchTrack.objects.filter(batch_id=batch_id, position__gte=start)
        .order_by("position")
        .values_list("position", "track_id")
    )
    try:
        for position, track_id in entries:
            outcome = analyse_track(track_id=track_id, worker=worker)
            counter = COUNTERS[outcome]
            still_mine = mine.update(
                heartbeat_at=timezone.now(), next_position=position + 1, **{counter: F(counter) + 1}
            )
            if not still_mine:
                # The recovery took the batch back (this worker looked dead) and queued it
                # again: the new run goes on from the last counted track, so stop here.
                logger.warning("Analysis batch #%s was taken from %s; stopping.", batch_id, worker)
                return AnalysisBatch.objects.get(pk=batch_id)
    except AllProvidersDown as exc:
        postpone(batch_id=batch_id, worker=worker, seconds=exc.retry_after, reason=str(exc))
    except Exception:
        logger.exception("Analysis batch #%s stopped on an unexpected error.", batch_id)
        if mine.update(status=BatchStatus.FAILED, error=UNEXPECTED_MESSAGE, finished_at=timezone.now()):
            announce_if_settled(user_id=user_id)
        raise
    else:
        batch = AnalysisBatch.objects.get(pk=batch_id)
        notes = []
        if batch.deferred:
            notes.append(
                f"{batch.deferred} track(s) wait for their lyrics; the next import queues them again."
            )
        if batch.failed:
            notes.append(f"{batch.failed} track(s) could not be analysed (refused or unusable answers).")
        if mine.update(status=BatchStatus.COMPLETED, finished_at=timezone.now(), error=" ".join(notes)):
            announce_if_settled(user_id=user_id)
    return AnalysisBatch.objects.get(pk=batch_id)


def postpone(*, batch_id: int, worker: str, seconds: int, reason: str) -> None:
    """Queue the batch again for later and schedule its task then. Its runs so far stay counted;
    it resumes at the first track it did not count."""
    resume_at = timezone.now() + timedelta(seconds=max(1, seconds))
    name = resume_schedule_name(batch_id=batch_id)
    with transaction.atomic():
        updated = AnalysisBatch.objects.filter(
            pk=batch_id, status=BatchStatus.RUNNING, claimed_by=worker
        ).update(
            status=BatchStatus.QUEUED,
            resume_at=resume_at,
            claimed_by="",
            error=f"Waiting for an LLM provider: {reason}"[:ERROR_LIMIT],
        )
        if not updated:
            return
        schedule_once(ANALYSE_BATCH_TASK, batch_id, at=resume_at, name=name)
    logger.info("Analysis batch #%s postponed until %s: %s", batch_id, resume_at.isoformat(), reason)
