"""Cluster-wide tasks that belong to no single app: the heartbeat and the job records' upkeep."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from django_q.conf import Conf

from core import jobs, queues
from core.jobs import job


def heartbeat_key(queue: queues.Queue) -> str:
    return f"cluster:heartbeat:{queue}"


@job(label="Cluster heartbeat")
def cluster_heartbeat() -> str:
    """Record that a worker of the cluster running this task ran a task just now; /health and
    the staff page report the time per cluster.

    Scheduled every minute on each cluster, so "last seen" tells an operator whether each
    qcluster is alive without reading process tables.
    """
    served = queues.queues_of_cluster(Conf.CLUSTER_NAME)
    if not served:
        return f"not one of our clusters: {Conf.CLUSTER_NAME}"
    now = timezone.now().isoformat()
    cache.set_many({heartbeat_key(queue): now for queue in served}, timeout=None)
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
