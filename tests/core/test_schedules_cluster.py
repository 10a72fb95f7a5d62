"""Every schedule the apps register (ensure_schedules) runs on a real `qcluster`: made due now,
each is enqueued by Django-Q2's scheduler, succeeds, and leaves a scheduled job record; the
cluster then sets the next cron runs in its configured time zone."""

from __future__ import annotations

import io
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule, Task

from accounts.models import SpotifyCredential
from core.jobs import job_type
from core.models import JobRecord, JobStatus
from core.schedules import recurring_schedules
from tests.fixtures.cluster import sandbox_cluster_env
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.cluster

SCHEDULES = recurring_schedules()

# No daylight saving time, and far from UTC: a cron read in UTC would be off by 9 hours.
ZONE = "Asia/Tokyo"


def _wait_for_every_schedule(cluster, *, timeout: float = 150) -> dict[str, Task]:
    """Each schedule's task, once the cluster finished it. The scheduler looks every 30 s."""
    deadline = time.monotonic() + timeout
    finished: dict[str, Task] = {}
    while time.monotonic() < deadline and len(finished) < len(SCHEDULES):
        for schedule in Schedule.objects.filter(name__in=[s.name for s in SCHEDULES], task__isnull=False):
            task = Task.objects.filter(id=schedule.task).first()
            if task is not None and schedule.name not in finished:
                finished[schedule.name] = task
        time.sleep(0.5)
    missing = sorted({s.name for s in SCHEDULES} - set(finished))
    assert not missing, f"never ran: {missing}\n{cluster.log()[-4000:]}"
    return finished


def _job_record(task_id: str, *, timeout: float = 10) -> JobRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = JobRecord.objects.filter(
            task_id=task_id, status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]
        )
        if (record := finished.first()) is not None:
            return record
        time.sleep(0.1)
    raise AssertionError(f"no finished job record for {task_id}")


def test_every_schedule_runs_in_a_real_cluster_and_its_next_cron_run_is_in_the_configured_zone(
    sandbox, start_qcluster
):
    listener = signed_in(sandbox, "demo")
    SpotifyCredential.objects.filter(user=listener).update(expires_at=timezone.now() + timedelta(minutes=10))
    old_token = SpotifyCredential.objects.get(user=listener).access_token
    call_command("ensure_schedules", stdout=io.StringIO())
    call_command("ensure_schedules", stdout=io.StringIO())
    Schedule.objects.update(next_run=timezone.now() - timedelta(seconds=1))

    cluster = start_qcluster(env={**sandbox_cluster_env(sandbox), "TIME_ZONE": ZONE})
    tasks = _wait_for_every_schedule(cluster)

    failed = {name: task.result for name, task in tasks.items() if not task.success}
    assert not failed, failed
    for recurring in SCHEDULES:
        record = _job_record(tasks[recurring.name].id)
        assert (record.status, record.scheduled, record.user_id) == (JobStatus.SUCCEEDED, True, None)
        assert record.label == job_type(recurring.func).label != recurring.func  # registered
    assert "Could not record" not in cluster.log()
    # The token refresh really ran against the sandbox, in the cluster.
    assert SpotifyCredential.objects.get(user=listener).access_token != old_token

    def local(name: str):
        return Schedule.objects.get(name=name).next_run.astimezone(ZoneInfo(ZONE))

    assert (local("daily listening ingest").hour, local("daily listening ingest").minute) == (2, 0)
    assert (local("weekly summaries").isoweekday(), local("weekly summaries").hour) == (7, 9)
    assert (local("prune job records").isoweekday(), local("prune job records").hour) == (1, 3)
    assert local("poll listening history").minute == 0
    assert Schedule.objects.filter(name__in=[s.name for s in SCHEDULES]).count() == len(SCHEDULES)
