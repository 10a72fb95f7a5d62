"""Imports and route runs whose worker died or whose task was lost: core.runs' one rule.

An event left running by a killed worker would block every later run of its listener (one
active import per listener, one active route per base). It is failed with a reason, not
resumed (SyncEvent.resume_orphans is False): the listener retries, and an import keeps its
finished playlists. Three ways find them:

- when a cluster worker spawns (Django-Q2's `post_spawn`, also after a worker died and was
  replaced), the events claimed on this host by a process that no longer exists (core.receivers,
  for every kind of run at once);
- every few minutes (a schedule), running events with no heartbeat for longer than a task
  may run, wherever they ran;
- every 5 minutes, queued events whose task never came: enqueued again.
"""

from __future__ import annotations

from core import recovery
from core.workers import this_host
from sync.models import SyncEvent

__all__ = ["fail_stalled_runs", "requeue_lost_runs", "this_host"]

WORKER_STOPPED_REASON = SyncEvent.orphaned_reason


def fail_stalled_runs() -> int:
    """Fail running events with no heartbeat for longer than a task may run; how many."""
    return len(recovery.recover_stalled(SyncEvent))


def requeue_lost_runs() -> list[int]:
    """Enqueue again the queued events whose task never came; the ids enqueued again."""
    return recovery.requeue_lost(SyncEvent)
