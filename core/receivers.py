"""What core does when Django-Q2 announces something (connected in CoreConfig.ready)."""

from __future__ import annotations

import logging
import os

from core import recovery
from core.runs import run_models
from core.workers import this_host

logger = logging.getLogger(__name__)


def recover_runs_of_dead_workers(sender, *, proc_name: str, **kwargs) -> None:
    """django_q post_spawn, in every cluster worker as it spawns (at start-up and when a worker
    that died is replaced): the runs of every kind claimed on this host by a process that is
    gone are handed back at once, each as its model says (core.recovery: queued again to go on
    from its progress, or failed with a reason to retry), instead of waiting for the recovery
    schedules to find them stalled. One receiver for every QueuedRun model: a new kind of run
    is covered without a line of its own."""
    for model in run_models():
        try:
            recovery.recover_orphans(model, host=this_host(), idle_pid=os.getpid())
        except Exception:
            # Never keep a worker from starting; the recovery schedules catch what this missed.
            logger.exception("Recovering dead workers' %s runs failed in %s", model.run_label, proc_name)
