"""Django-Q entry points of analysis: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job, user_of_row
from analysis.services import batches, recovery


@job(label="Song analysis batch", user_of=user_of_row(model="analysis.AnalysisBatch", name="batch_id"))
def analyse_batch(batch_id: int, turn: int | None = None) -> str:
    """Run the queued analysis batch `batch_id` for its `turn` (its claims so far when the task
    was sent). A second delivery, or a task of an older turn, finds nothing to claim and does
    nothing; a postponed one runs again from its schedule (which carries no turn)."""
    batch = batches.run_batch(batch_id=batch_id, turn=turn)
    if batch is None:
        return f"analysis batch #{batch_id}: no such batch"
    return (
        f"analysis batch #{batch_id}: {batch.status} ({batch.analysed} analysed, "
        f"{batch.skipped} skipped, {batch.deferred} deferred, {batch.failed} failed)"
    )


@job(label="Recover analysis batches")
def recover_analysis_batches() -> str:
    """Every 5 minutes (ensure_schedules): queue again the batches whose worker or task was lost."""
    requeued = recovery.requeue_stalled_batches()
    return f"{len(requeued)} analysis batch(es) queued again"
