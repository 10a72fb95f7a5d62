"""Reads of job records: one task for the user who started it, and the staff's overview (the
staff page itself stays in insights, which also shows the LLM router beside it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import JobRecord, JobStatus
from core.runs import QueuedRun, RunStatus

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
class FailedRun:
    """An import, route, analysis batch, ingest or insight that failed: its task may well have
    ended cleanly (the run records the failure and its reason), so no job record says so."""

    label: str  # "import", "route", ...
    run: QueuedRun
    admin_url: str | None  # its page in the admin, where it can be retried


@dataclass(frozen=True)
class JobOverview:
    since: datetime
    failed: list[FailedJob]  # finished since `since`, newest first
    counts: dict[str, int]  # every status, enqueued since `since`
    active: list[JobRecord]  # queued or running, whenever enqueued
    failed_runs: list[FailedRun]  # finished since `since`, newest first, every kind of run


def _run_models() -> list[type[QueuedRun]]:
    # Found, not imported: core knows no app above it, and every run model subclasses QueuedRun.
    return [model for model in apps.get_models() if issubclass(model, QueuedRun)]


def _admin_url(run: QueuedRun) -> str | None:
    try:
        return reverse(f"admin:{run._meta.app_label}_{run._meta.model_name}_change", args=[run.pk])
    except NoReverseMatch:
        return None


def failed_runs(*, since: datetime, limit: int = 50) -> list[FailedRun]:
    """Every kind of run that failed since `since`, newest first, at most `limit`."""
    found: list[QueuedRun] = []
    for model in _run_models():
        rows = model.objects.filter(status=RunStatus.FAILED, finished_at__gte=since)
        if any(field.name == "user" for field in model._meta.fields):
            rows = rows.select_related("user")
        found += rows.order_by("-finished_at", "-pk")[:limit]
    found.sort(key=lambda run: run.finished_at, reverse=True)
    return [FailedRun(label=run.run_label, run=run, admin_url=_admin_url(run)) for run in found[:limit]]


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
        failed_runs=failed_runs(since=since, limit=limit),
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
