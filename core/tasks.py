"""Cluster-wide tasks that belong to no single app: the heartbeat and the job records' upkeep."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import jobs
from core.jobs import job

HEARTBEAT_KEY = "cluster:heartbeat"


@job(label="Cluster heartbeat")
def cluster_heartbeat() -> str:
    """Record that a cluster worker ran a task just now; /health reports the time.

    Scheduled every minute, so "last seen" tells an operator whether any
    qcluster is alive without reading process tables.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@job(label="Fail lost job records")
def fail_lost_jobs() -> str:
    """Every 5 minutes (schedule "fail lost job records"): records left running by a task that
    timed out or a worker that died are marked failed, so staff see them."""
    return f"{jobs.fail_lost_jobs()} lost job record(s) failed"


@job(label="Job record clean-up")
def prune_job_records() -> str:
    """Mondays at 03:00 (schedule "prune job records"): drop job records, and Django-Q's failed
    tasks, older than JOB_RECORD_DAYS (30 by default)."""
    pruned = jobs.prune_job_records(days=settings.JOB_RECORD_DAYS)
    return f"{pruned.job_records} job record(s) and {pruned.failed_tasks} failed task(s) pruned"
