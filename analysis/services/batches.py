"""Running one AnalysisBatch: what the `analyse_batch` task calls.

- Claim the batch with one conditional UPDATE (queued and due → running): a second
  delivery of the task finds nothing to do.
- Analyse its tracks in order; each outcome is counted on the batch at once, with the
  position reached, so the page and the admin see progress, whatever was stored stays
  stored, and a resumed batch goes on from there.
- Every ANALYSIS_TURN_SONGS songs, if another listener's batch waits for a worker, the batch
  gives its turn (core.runs Claim.yield_turn): queued again at the back, going on from the
  first song it did not count, so a big library's batch never holds a worker for long while a
  new listener waits for their first songs.
- When no LLM provider can answer (AllProvidersDown), the batch goes back to queued with
  a Django-Q ONCE schedule at now + retry_after, like a rate-limited import: it is not
  failed, and it resumes at the first track it did not count.
- Anything unexpected fails the batch with the reason and is re-raised for Django-Q's record;
  its unanalysed tracks are queued again by the next import.
- A batch that ends (completed or failed) hands the listener's next held batch to the queue
  (analysis.services.feeding); as its listener's last active one it announces
  analyses_settled (see analysis.services.settling).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from analysis.models import AnalysisBatch, AnalysisBatchTrack
from analysis.services.analysis import Outcome, analyse_track
from analysis.services import feeding
from analysis.services.settling import announce_if_settled
from core import runs
from llm.services import AllProvidersDown

logger = logging.getLogger(__name__)

ANALYSE_BATCH_TASK = AnalysisBatch.run_task
UNEXPECTED_MESSAGE = "The analysis stopped on an unexpected error (details are in the server log)."
COUNTERS = {
    Outcome.ANALYSED: "analysed",
    Outcome.SKIPPED: "skipped",
    Outcome.DEFERRED: "deferred",
    Outcome.FAILED: "failed",
}


def run_batch(*, batch_id: int, turn: int | None = None) -> AnalysisBatch | None:
    """Run one queued batch to its end (succeeded, failed, or queued again for later). `turn`:
    the claim count its task was sent with (a stale task of an older turn does nothing)."""
    claim = runs.claim(AnalysisBatch, pk=batch_id, turn=turn, runs=F("runs") + 1)
    if claim is None:
        return AnalysisBatch.objects.filter(pk=batch_id).first()
    batch = claim.run
    entries = list(
        AnalysisBatchTrack.objects.filter(batch_id=batch_id, position__gte=batch.next_position)
        .order_by("position")
        .values_list("position", "track_id")
    )
    turn = settings.ANALYSIS_TURN_SONGS
    try:
        for done, (position, track_id) in enumerate(entries, 1):
            counter = COUNTERS[analyse_track(track_id=track_id, worker=claim.worker)]
            # The recovery may have taken the batch back (this worker looked dead) and queued
            # it again: the new run goes on from the last counted track, so ClaimLost stops here.
            claim.heartbeat(next_position=position + 1, **{counter: F(counter) + 1})
            if done % turn == 0 and done < len(entries) and feeding.others_waiting(user_id=batch.user_id):
                # Time-slicing: another listener waits for a worker, so this batch goes to the back
                # of the queue and goes on from here when its turn comes again.
                claim.yield_turn()
                return AnalysisBatch.objects.get(pk=batch_id)
    except runs.ClaimLost:
        logger.warning("Analysis batch #%s was taken from %s; stopping.", batch_id, claim.worker)
    except AllProvidersDown as exc:
        resume_at = timezone.now() + timedelta(seconds=max(1, exc.retry_after))
        claim.postpone(resume_at=resume_at, error=f"Waiting for an LLM provider: {exc}"[: runs.ERROR_LIMIT])
    except Exception as exc:
        if claim.retry_after_conflict(exc):
            return AnalysisBatch.objects.get(pk=batch_id)
        logger.exception("Analysis batch #%s stopped on an unexpected error.", batch_id)
        if claim.fail(UNEXPECTED_MESSAGE):
            _ended(user_id=batch.user_id)
        raise
    else:
        if claim.succeed(error=_notes(AnalysisBatch.objects.get(pk=batch_id))):
            _ended(user_id=batch.user_id)
    return AnalysisBatch.objects.get(pk=batch_id)


def _ended(*, user_id: int | None) -> None:
    # The listener's next held batch takes this one's place in the queue, else they settled.
    feeding.feed(user_id=user_id)
    announce_if_settled(user_id=user_id)


def _notes(batch: AnalysisBatch) -> str:
    """What a finished batch could not do, for the page and the admin."""
    notes = []
    if batch.deferred:
        notes.append(f"{batch.deferred} track(s) wait for their lyrics; the next import queues them again.")
    if batch.failed:
        notes.append(f"{batch.failed} track(s) could not be analysed (refused or unusable answers).")
    return " ".join(notes)
