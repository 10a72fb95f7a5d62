"""Django-Q entry points of analysis: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job, user_of_row
from analysis.services import batches, recovery


@job(label="Song analysis batch", user_of=user_of_row(model="analysis.AnalysisBatch", name="batch_id"))
def analyse_batch(batch_id: int) -> str:
    """Run the queued analysis batch `batch_id`. A second delivery finds it claimed or finished
    and does nothing; a postponed one runs again from its schedule."""
    batch = batches.run_batch(batch_id=batch_id)
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
