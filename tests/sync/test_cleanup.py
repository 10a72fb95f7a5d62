"""Stuck imports and routes are failed with a reason; running, fresh and finished ones are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_q.signals import post_spawn

from core.workers import process_state
from sync import tasks
from sync.models import SyncEvent
from core.runs import RunStatus
from core import recovery
from sync.services import cleanup
from tests.sync.factories import SyncEventFactory
from tests.support.processes import dead_pid

pytestmark = pytest.mark.django_db

HOST = cleanup.this_host()


def _ago(**delta) -> datetime:
    return timezone.now() - timedelta(**delta)


def _silent() -> datetime:
    """Longer ago than a task may run (core.runs' one rule for a stalled run)."""
    return timezone.now() - recovery.stall_after(SyncEvent) - timedelta(minutes=1)


def _lately() -> datetime:
    return timezone.now() - recovery.stall_after(SyncEvent) + timedelta(minutes=1)


def _status(event: SyncEvent) -> tuple[str, str]:
    event.refresh_from_db()
    return event.status, event.error


# --- the schedule: no heartbeat for longer than a task may run ---------------------------------------------------
def test_an_import_with_an_old_heartbeat_is_failed_with_a_readable_reason():
    stuck = SyncEventFactory(running=True, started_at=_ago(hours=2), heartbeat_at=_silent())

    assert cleanup.fail_stalled_runs() == 1

    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and stuck.finished_at is not None
    minutes = round(recovery.stall_after(SyncEvent).total_seconds() / 60)
    assert stuck.error.startswith(f"This sync made no progress for {minutes} minutes")
    assert "Retry to continue; finished playlists are kept." in stuck.error


def test_the_schedule_leaves_fresh_queued_and_finished_imports_alone():
    fresh = SyncEventFactory(running=True, started_at=_ago(hours=3), heartbeat_at=_lately())
    queued = SyncEventFactory()
    SyncEvent.objects.filter(pk=queued.pk).update(created_at=_ago(hours=5))
    completed = SyncEventFactory(completed=True, heartbeat_at=_ago(hours=5))
    failed = SyncEventFactory(failed=True, heartbeat_at=_ago(hours=5))

    assert cleanup.fail_stalled_runs() == 0

    assert _status(fresh) == (RunStatus.RUNNING, "")
    assert _status(queued) == (RunStatus.QUEUED, "")
    assert _status(completed)[0] == RunStatus.SUCCEEDED
    assert _status(failed) == (RunStatus.FAILED, failed.error)


def test_an_import_that_never_beat_is_judged_by_when_it_started():
    never_beat = SyncEventFactory(running=True, heartbeat_at=None, started_at=_silent())
    just_started = SyncEventFactory(running=True, heartbeat_at=None, started_at=_ago(minutes=1))

    cleanup.fail_stalled_runs()

    assert _status(never_beat)[0] == RunStatus.FAILED
    assert _status(just_started)[0] == RunStatus.RUNNING


def test_the_scheduled_task_fails_stuck_imports_and_says_how_many():
    SyncEventFactory(running=True, heartbeat_at=_ago(hours=1))

    assert tasks.fail_stuck_events() == "1 stuck run(s) failed"
    assert tasks.fail_stuck_events() == "0 stuck run(s) failed"  # idempotent


# --- a worker spawns: imports claimed here by a process that is gone ------------------------------
def test_an_import_claimed_by_a_dead_process_on_this_host_is_failed():
    orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{dead_pid()}")

    assert recovery.recover_orphans(SyncEvent, host=HOST) == [orphan.pk]

    assert _status(orphan) == (RunStatus.FAILED, cleanup.WORKER_STOPPED_REASON)


def test_an_import_claimed_by_a_killed_process_not_yet_reaped_is_failed():
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # exits; nobody waits for it yet
    try:
        deadline = time.monotonic() + 10
        while process_state(zombie.pid)[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{zombie.pid}")

        assert recovery.recover_orphans(SyncEvent, host=HOST) == [orphan.pk]
    finally:
        zombie.wait()


def test_live_workers_and_other_hosts_keep_their_imports():
    alive = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getpid()}")
    elsewhere = SyncEventFactory(running=True, claimed_by=f"another-host:{dead_pid()}")
    unclaimed = SyncEventFactory(running=True, claimed_by="")
    finished = SyncEventFactory(completed=True, claimed_by=f"{HOST}:{dead_pid()}")

    assert recovery.recover_orphans(SyncEvent, host=HOST) == []

    for event in (alive, elsewhere, unclaimed):
        assert _status(event)[0] == RunStatus.RUNNING
    assert _status(finished)[0] == RunStatus.SUCCEEDED


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

    assert recovery.recover_orphans(SyncEvent, host=HOST) == [reused.pk]


def test_an_import_naming_the_pid_of_a_worker_that_just_spawned_is_failed():
    # The new worker runs nothing yet: the claim was made by an earlier process with its pid.
    claimed = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getpid()}")

    assert recovery.recover_orphans(SyncEvent, host=HOST, idle_pid=os.getpid()) == [claimed.pk]


def test_django_q_post_spawn_runs_the_clean_up():
    orphan = SyncEventFactory(running=True, claimed_by=f"{HOST}:{dead_pid()}")
    alive = SyncEventFactory(running=True, claimed_by=f"{HOST}:{os.getppid()}")

    post_spawn.send(sender="django_q", proc_name="Process-test")

    assert _status(orphan) == (RunStatus.FAILED, cleanup.WORKER_STOPPED_REASON)
    assert _status(alive)[0] == RunStatus.RUNNING


# --- the task entry point -------------------------------------------------------------------------------
def test_running_the_task_for_a_missing_event_does_nothing():
    assert tasks.run_import(987654) == "import #987654: no such event"


def test_running_the_task_for_a_finished_event_leaves_it_as_it_is():
    done = SyncEventFactory(completed=True)

    assert tasks.run_import(done.pk) == f"import #{done.pk}: succeeded"
    assert _status(done)[0] == RunStatus.SUCCEEDED
