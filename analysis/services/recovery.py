"""Giving analysis batches back to the queue when their worker or their task was lost.

The rules are core.runs' (one "lost" rule for every run); an analysis batch is never failed
for this: analysing a song is repeatable (the claim and the unique analysis row keep it
once), so the batch is queued again and goes on from the first track it did not count
(AnalysisBatch.resume_orphans), and the dead worker's track claims are dropped with it
(AnalysisBatch.released), so the resumed batch does not skip the song it was in the middle of.

- when a cluster worker spawns (Django-Q2's `post_spawn`, core.receivers): batches running on
  this host for a process that is gone;
- every 5 minutes (a schedule): running batches with no heartbeat for longer than a task may
  run, and queued batches whose task never came.
"""

from __future__ import annotations

from analysis.models import AnalysisBatch
from analysis.services import feeding
from core import recovery


def requeue_stalled_batches() -> list[int]:
    """Queue again the running batches that stalled and the queued ones whose task was lost;
    then hand held batches to listeners with room (a feeder that never ran)."""
    requeued = recovery.recover_stalled(AnalysisBatch) + recovery.requeue_lost(AnalysisBatch)
    feeding.feed_everyone()
    return requeued
