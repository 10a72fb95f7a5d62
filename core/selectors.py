"""Reads of job records: one task for the user who started it, and the staff's overview (the
staff page itself stays in insights, which also shows the LLM router beside it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone

from core.models import JobRecord, JobStatus

# Django-Q2 writes an error as "<message> : Traceback (most recent call last): ...".
TRACEBACK_MARK = " : Traceback (most recent call last):"
RECENT = timedelta(days=1)


def get_task(*, user: AbstractBaseUser, task_id: str) -> JobRecord | None:
    """The record of `task_id` if `user` started it; a system job or another user's is None."""
    return JobRecord.objects.filter(task_id=task_id, user=user).first()


def error_message(*, record: JobRecord) -> str:
    """The error without its traceback: what a listener may read (the traceback names our code)."""
    return record.error.split(TRACEBACK_MARK, 1)[0].strip()


@dataclass(frozen=True)
class FailedJob:
    record: JobRecord
    message: str  # the error without its traceback (the admin shows it whole)


@dataclass(frozen=True)
class JobOverview:
    since: datetime
    failed: list[FailedJob]  # finished since `since`, newest first
    counts: dict[str, int]  # every status, enqueued since `since`
    active: list[JobRecord]  # queued or running, whenever enqueued


def staff_overview(*, now: datetime | None = None, limit: int = 50) -> JobOverview:
    since = (now or timezone.now()) - RECENT
    failed = [
        FailedJob(record=record, message=error_message(record=record))
        for record in JobRecord.objects.filter(status=JobStatus.FAILED, finished_at__gte=since)
        .select_related("user")
        .order_by("-finished_at", "-id")[:limit]
    ]
    counted = {
        row["status"]: row["n"]
        for row in JobRecord.objects.filter(enqueued_at__gte=since)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    }
    active = list(
        JobRecord.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .select_related("user")
        .order_by("-enqueued_at", "-id")[:limit]
    )
    return JobOverview(
        since=since,
        failed=failed,
        counts={status: counted.get(status, 0) for status in JobStatus.values},
        active=active,
    )


@dataclass(frozen=True)
class ClusterStatus:
    queue: str  # interactive or bulk
    name: str  # the Django-Q2 cluster (and broker queue) name
    last_seen: datetime | None  # its heartbeat task's last run
    waiting: int | None  # tasks in its broker queue; None when the broker did not answer
    workers: int
    time_limit: int  # seconds a task may run


def clusters_overview() -> list[ClusterStatus]:
    """Each of the two clusters as staff see it: alive (heartbeat), backlog, workers, limit."""
    from django_q.brokers import get_broker

    from core import queues
    from core.health import clusters_last_seen

    seen = clusters_last_seen()
    overview = []
    for queue in queues.QUEUES:
        name = queues.cluster_name(queue)
        try:
            waiting = get_broker(name).queue_size()
        except Exception:  # the broker is away: /health reports that
            waiting = None
        options = queues.cluster_settings(queue)
        overview.append(
            ClusterStatus(
                queue=queue,
                name=name,
                last_seen=datetime.fromisoformat(seen[queue]) if seen.get(queue) else None,
                waiting=waiting,
                workers=int(options["workers"]),
                time_limit=int(options["timeout"]),
            )
        )
    return overview
