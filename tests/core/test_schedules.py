"""manage.py ensure_schedules: every app's recurring schedules created once, repaired by name,
cron times in the configured time zone."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from core.jobs import job_type
from core.queues import BULK, INTERACTIVE, cluster_name
from core.schedules import recurring_schedules
from tests.support.processes import project_env, run_manage

pytestmark = pytest.mark.django_db


def _schedules() -> list[tuple]:
    return list(
        Schedule.objects.order_by("name").values_list(
            "pk", "name", "func", "schedule_type", "minutes", "cron", "repeats", "next_run"
        )
    )


def test_ensure_schedules_creates_every_schedule_once_when_run_twice():
    call_command("ensure_schedules", stdout=io.StringIO())
    first = _schedules()
    call_command("ensure_schedules", stdout=io.StringIO())

    assert _schedules() == first
    assert [row[1:7] for row in first] == [
        ("bulk cluster heartbeat", "core.tasks.cluster_heartbeat", Schedule.MINUTES, 1, None, -1),
        ("cluster heartbeat", "core.tasks.cluster_heartbeat", Schedule.MINUTES, 1, None, -1),
        ("daily listening ingest", "insights.tasks.ingest_all_users", Schedule.CRON, None, "0 2 * * *", -1),
        ("fail lost job records", "core.tasks.fail_lost_jobs", Schedule.MINUTES, 5, None, -1),
        ("fail stuck sync events", "sync.tasks.fail_stuck_events", Schedule.MINUTES, 5, None, -1),
        ("llm health check", "llm.tasks.check_llm_providers", Schedule.MINUTES, 5, None, -1),
        ("poll listening history", "insights.tasks.poll_all_histories", Schedule.CRON, None, "0 * * * *", -1),
        ("prune child backups", "routing.tasks.prune_child_backups", Schedule.CRON, None, "30 3 * * *", -1),
        ("prune device sessions", "devices.tasks.prune_device_sessions", Schedule.MINUTES, 5, None, -1),
        ("prune job records", "core.tasks.prune_job_records", Schedule.CRON, None, "0 3 * * 1", -1),
        ("recover analysis batches", "analysis.tasks.recover_analysis_batches", Schedule.MINUTES, 5, None, -1),
        ("recover history imports", "insights.tasks.recover_history_imports", Schedule.MINUTES, 5, None, -1),
        ("recover listening ingests", "insights.tasks.recover_listening_ingests", Schedule.MINUTES, 5, None, -1),
        ("recover route runs", "routing.tasks.recover_route_runs", Schedule.MINUTES, 5, None, -1),
        ("refresh expiring tokens", "spotify.tasks.refresh_expiring_tokens", Schedule.MINUTES, 30, None, -1),
        ("requeue lost sync events", "sync.tasks.requeue_lost_runs", Schedule.MINUTES, 5, None, -1),
        ("route bases done waiting", "routing.tasks.route_overdue_bases", Schedule.MINUTES, 5, None, -1),
        ("weekly summaries", "insights.tasks.generate_weekly_summaries", Schedule.CRON, None, "0 9 * * 0", -1),
    ]  # fmt: skip


def test_ensure_schedules_repairs_edited_timing_and_removes_duplicates_keeping_the_next_run():
    call_command("ensure_schedules", stdout=io.StringIO())
    original = Schedule.objects.get(name="fail stuck sync events")
    later = timezone.now() + timedelta(minutes=3)
    Schedule.objects.filter(pk=original.pk).update(minutes=60, next_run=later)
    Schedule.objects.create(name="fail stuck sync events", func="sync.tasks.fail_stuck_events", minutes=1)

    call_command("ensure_schedules", stdout=io.StringIO())

    kept = Schedule.objects.get(name="fail stuck sync events")
    assert (kept.pk, kept.minutes, kept.next_run) == (original.pk, 5, later)


def test_a_cron_schedule_first_runs_at_its_next_matching_time_not_at_start_up():
    before = timezone.now()

    call_command("ensure_schedules", stdout=io.StringIO())

    ingest = timezone.localtime(Schedule.objects.get(name="daily listening ingest").next_run)
    assert (ingest.hour, ingest.minute) == (2, 0) and before < ingest <= before + timedelta(days=1)
    summaries = timezone.localtime(Schedule.objects.get(name="weekly summaries").next_run)
    assert (summaries.isoweekday(), summaries.hour, summaries.minute) == (7, 9, 0)
    heartbeat = Schedule.objects.get(name="cluster heartbeat").next_run
    assert before <= heartbeat <= timezone.now()  # an interval starts at once


def test_ensure_schedules_repairs_an_edited_cron_and_moves_its_next_run_to_match():
    call_command("ensure_schedules", stdout=io.StringIO())
    Schedule.objects.filter(name="prune job records").update(
        schedule_type=Schedule.MINUTES, minutes=1, cron=None, next_run=timezone.now()
    )

    call_command("ensure_schedules", stdout=io.StringIO())

    prune = Schedule.objects.get(name="prune job records")
    local = timezone.localtime(prune.next_run)
    assert (prune.schedule_type, prune.cron, prune.minutes) == (Schedule.CRON, "0 3 * * 1", None)
    assert (local.isoweekday(), local.hour, local.minute) == (1, 3, 0)


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
@pytest.mark.django_db(transaction=True)
def test_cron_times_are_in_the_configured_time_zone(zone):
    # Django-Q2 reads the zone once, at import: a process started with TIME_ZONE is the real test.
    done = run_manage("ensure_schedules", env=project_env(TIME_ZONE=zone))

    assert done.returncode == 0, done.stderr
    assert f"Cron times are in {zone}." in done.stdout
    ingest = Schedule.objects.get(name="daily listening ingest").next_run.astimezone(ZoneInfo(zone))
    assert (ingest.hour, ingest.minute) == (2, 0)
    assert ingest.astimezone(ZoneInfo("UTC")).hour != 2  # so not read in UTC
    summaries = Schedule.objects.get(name="weekly summaries").next_run.astimezone(ZoneInfo(zone))
    assert (summaries.isoweekday(), summaries.hour) == (7, 9)


def test_every_registered_schedule_names_a_task_with_a_job_label_and_each_app_brings_its_own():
    schedules = recurring_schedules()

    assert all(job_type(s.func).label != s.func for s in schedules)
    assert {s.func.partition(".")[0] for s in schedules} == {
        "core", "sync", "routing", "analysis", "insights", "llm", "devices", "spotify",
    }  # fmt: skip


def test_each_schedule_names_the_cluster_whose_scheduler_fires_it():
    call_command("ensure_schedules", stdout=io.StringIO())

    clusters = dict(Schedule.objects.values_list("name", "cluster"))

    bulk, interactive = cluster_name(BULK), cluster_name(INTERACTIVE)
    # The listener rounds and the bulk heartbeat on bulk; imports' and routes' upkeep on interactive.
    assert {name for name, cluster in clusters.items() if cluster == bulk} == {
        "bulk cluster heartbeat",
        "daily listening ingest",
        "poll listening history",
        "refresh expiring tokens",
        "weekly summaries",
    }
    assert clusters["cluster heartbeat"] == interactive
    assert clusters["requeue lost sync events"] == interactive
    assert set(clusters.values()) == {bulk, interactive}
