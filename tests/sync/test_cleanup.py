"""Stuck imports and routes are failed with a reason; running, fresh and finished ones are left alone."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule
from django_q.signals import post_spawn

from core.workers import process_state
from routing.services.setup import BaseBusy, update_base_options
from routing.services.triggers import retry_route
from sync import tasks
from sync.models import SyncEvent, SyncKind, SyncStatus
from sync.services import cleanup
from tests.factories import BasePlaylistFactory, SpotifyCredentialFactory, SyncEventFactory
from tests.support.processes import dead_pid, project_env, run_manage

pytestmark = pytest.mark.django_db

HOST = cleanup.this_host()


def _ago(**delta) -> datetime:
    return timezone.now() - timedelta(**delta)


def _status(event: SyncEvent) -> tuple[str, str]:
    event.refresh_from_db()
    return event.status, event.error


# --- the schedule: no heartbeat for 30 minutes ---------------------------------------------------
def test_an_import_with_an_old_heartbeat_is_failed_with_a_readable_reason():
    stuck = SyncEventFactory(running=True, started_at=_ago(hours=2), heartbeat_at=_ago(minutes=31))

    assert cleanup.fail_stalled_runs() == 1

    stuck.refresh_from_db()
    assert stuck.status == SyncStatus.FAILED and stuck.finished_at is not None
    assert stuck.error.startswith("This sync made no progress for 30 minutes")
    assert "Retry to continue; finished playlists are kept." in stuck.error


def test_the_schedule_leaves_fresh_queued_and_finished_imports_alone():
    fresh = SyncEventFactory(running=True, started_at=_ago(hours=3), heartbeat_at=_ago(minutes=29))
    queued = SyncEventFactory()
    SyncEvent.objects.filter(pk=queued.pk).update(created_at=_ago(hours=5))
    completed = SyncEventFactory(completed=True, heartbeat_at=_ago(hours=5))
    failed = SyncEventFactory(failed=True, heartbeat_at=_ago(hours=5))

    assert cleanup.fail_stalled_runs() == 0

    assert _status(fresh) == (SyncStatus.IN_PROGRESS, "")
    assert _status(queued) == (SyncStatus.QUEUED, "")
    assert _status(completed)[0] == SyncStatus.COMPLETED
    assert _status(failed) == (SyncStatus.FAILED, failed.error)


def test_an_import_that_never_beat_is_judged_by_when_it_started():
    never_beat = SyncEventFactory(running=True, heartbeat_at=None, started_at=_ago(minutes=45))
    just_started = SyncEventFactory(running=True, heartbeat_at=None, started_at=_ago(minutes=1))

    cleanup.fail_stalled_runs()

    assert _status(never_beat)[0] == SyncStatus.FAILED
    assert _status(just_started)[0] == SyncStatus.IN_PROGRESS


def test_the_scheduled_task_fails_stuck_imports_and_says_how_many():
    SyncEventFactory(running=True, heartbeat_at=_ago(hours=1))

    assert tasks.fail_stuck_events() == "1 stuck run(s) failed"
    assert tasks.fail_stuck_events() == "0 stuck run(s) failed"  # idempotent


# --- a worker spawns: imports claimed here by a process that is gone ------------------------------
def test_an_import_claimed_by_a_dead_process_on_this_host_is_failed():
    orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{dead_pid()}")

    assert cleanup.fail_runs_of_dead_workers(host=HOST) == [orphan.pk]

    assert _status(orphan) == (SyncStatus.FAILED, cleanup.WORKER_STOPPED_REASON)


def test_an_import_claimed_by_a_killed_process_not_yet_reaped_is_failed():
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # exits; nobody waits for it yet
    try:
        deadline = time.monotonic() + 10
        while process_state(zombie.pid)[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{zombie.pid}")

        assert cleanup.fail_runs_of_dead_workers(host=HOST) == [orphan.pk]
    finally:
        zombie.wait()


def test_live_workers_and_other_hosts_keep_their_imports():
    alive = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getpid()}")
    elsewhere = SyncEventFactory(running=True, claimed_by=f"another-host:{dead_pid()}")
    unclaimed = SyncEventFactory(running=True, claimed_by="")
    finished = SyncEventFactory(completed=True, claimed_by=f"{HOST}:{dead_pid()}")

    assert cleanup.fail_runs_of_dead_workers(host=HOST) == []

    for event in (alive, elsewhere, unclaimed):
        assert _status(event)[0] == SyncStatus.IN_PROGRESS
    assert _status(finished)[0] == SyncStatus.COMPLETED


def test_a_reused_pid_does_not_keep_a_dead_workers_import_alive():
    # This very process is alive, but it started long after the import's last heartbeat,
    # so it cannot be the worker that claimed the import (a restarted container reuses pids).
    # Dated from its start as the kernel counts it, not from our clock, which a test run
    # may move (`make test-future`) while /proc keeps the real time.
    began = datetime.fromtimestamp(process_state(os.getpid())[1], tz=ZoneInfo("UTC"))
    reused = SyncEventFactory(
        running=True,
        claimed_by=f"{HOST}:{os.getpid()}",
        started_at=began - timedelta(days=3),
        heartbeat_at=began - timedelta(days=2),
    )

    assert cleanup.fail_runs_of_dead_workers(host=HOST) == [reused.pk]


def test_an_import_naming_the_pid_of_a_worker_that_just_spawned_is_failed():
    # The new worker runs nothing yet: the claim was made by an earlier process with its pid.
    claimed = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getpid()}")

    assert cleanup.fail_runs_of_dead_workers(host=HOST, idle_pid=os.getpid()) == [claimed.pk]


def test_django_q_post_spawn_runs_the_clean_up():
    orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{dead_pid()}")
    alive = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getppid()}")

    post_spawn.send(sender="django_q", proc_name="Process-test")

    assert _status(orphan) == (SyncStatus.FAILED, cleanup.WORKER_STOPPED_REASON)
    assert _status(alive)[0] == SyncStatus.IN_PROGRESS


def test_a_clean_up_failure_never_stops_a_worker_from_starting(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(cleanup, "fail_runs_of_dead_workers", broken)

    post_spawn.send(sender="django_q", proc_name="Process-test")  # does not raise

    assert "Clean-up of dead workers' imports failed" in caplog.text


# --- ensure_schedules --------------------------------------------------------------------------------
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
        ("cluster heartbeat", "core.tasks.cluster_heartbeat", Schedule.MINUTES, 1, None, -1),
        ("daily listening ingest", "insights.tasks.ingest_all_users", Schedule.CRON, None, "0 2 * * *", -1),
        ("fail lost job records", "insights.tasks.fail_lost_jobs", Schedule.MINUTES, 5, None, -1),
        ("fail stuck sync events", "sync.tasks.fail_stuck_events", Schedule.MINUTES, 5, None, -1),
        ("llm health check", "llm.tasks.check_llm_providers", Schedule.MINUTES, 5, None, -1),
        ("poll listening history", "insights.tasks.poll_all_histories", Schedule.CRON, None, "0 * * * *", -1),
        ("prune child backups", "routing.tasks.prune_child_backups", Schedule.CRON, None, "30 3 * * *", -1),
        ("prune device sessions", "library.tasks.prune_device_sessions", Schedule.MINUTES, 5, None, -1),
        ("prune job records", "insights.tasks.prune_job_records", Schedule.CRON, None, "0 3 * * 1", -1),
        ("recover analysis batches", "analysis.tasks.recover_analysis_batches", Schedule.MINUTES, 5, None, -1),
        ("refresh expiring tokens", "spotify.tasks.refresh_expiring_tokens", Schedule.MINUTES, 30, None, -1),
        ("requeue lost sync events", "sync.tasks.requeue_lost_runs", Schedule.MINUTES, 5, None, -1),
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


# --- the task entry point -------------------------------------------------------------------------------
def test_running_the_task_for_a_missing_event_does_nothing():
    assert tasks.run_import(987654) == "import #987654: no such event"


def test_running_the_task_for_a_finished_event_leaves_it_as_it_is():
    done = SyncEventFactory(completed=True)

    assert tasks.run_import(done.pk) == f"import #{done.pk}: completed"
    assert _status(done)[0] == SyncStatus.COMPLETED


# --- routes are cleaned up as imports are, which also lifts the lock on their base's set-up -----
@pytest.mark.parametrize("how", ["stalled", "dead worker"])
def test_a_stuck_route_is_failed_and_its_base_can_be_edited_and_routed_again(how, queue):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    if how == "stalled":
        stuck = SyncEventFactory(
            user=base.user, kind=SyncKind.ROUTE, base=base, running=True, heartbeat_at=_ago(minutes=31)
        )
    else:
        stuck = SyncEventFactory(
            user=base.user, kind=SyncKind.ROUTE, base=base, running=True, claimed_by=f"{HOST}:{dead_pid()}"
        )
    with pytest.raises(BaseBusy):
        update_base_options(base=base, first_match_only=True)

    failed = cleanup.fail_stalled_runs() if how == "stalled" else len(cleanup.fail_runs_of_dead_workers())

    assert failed == 1 and _status(stuck)[0] == SyncStatus.FAILED
    assert "Retry to continue" in _status(stuck)[1]
    assert update_base_options(base=base, first_match_only=True).first_match_only is True
    assert retry_route(event=stuck).retry_of_id == stuck.pk
