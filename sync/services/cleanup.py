"""Failing imports whose worker died, so the user sees why and can retry.

An import left "in progress" by a killed worker would block every later import of its
user (one active import per user). Two ways find them:

- when a cluster worker spawns (Django-Q2's `post_spawn`, also after a worker died and
  was replaced), the imports claimed on this host by a process that no longer exists;
- every few minutes (a schedule), imports whose heartbeat is older than 30 minutes,
  wherever they ran.

Each event is failed with a conditional UPDATE (still in progress, still claimed by the
same worker), never by reading, deciding and saving, so a run that moves on meanwhile
is left alone.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from sync.models import SyncEvent, SyncStatus

logger = logging.getLogger(__name__)

WORKER_STOPPED_REASON = (
    # Worded for imports and routes alike: the clean-up fails stuck events of both kinds.
    "The worker running this sync stopped (restart or crash). "
    "Retry to continue; finished playlists are kept."
)
STALLED_REASON = (
    "This sync made no progress for {minutes} minutes, so its worker has most likely stopped. "
    "Retry to continue; finished playlists are kept."
)
STALL_AFTER = timedelta(minutes=30)
# /proc start times are precise to the second (the boot time is whole seconds).
_START_TIME_SLACK = 2.0


def this_host() -> str:
    """The host part of `SyncEvent.claimed_by` ("host:pid") for workers on this machine."""
    return socket.gethostname()


def fail_runs_of_dead_workers(*, host: str | None = None, idle_pid: int | None = None) -> list[int]:
    """Fail the in-progress events claimed on `host` by a process that is gone.

    `idle_pid` is a process known to run no import (a worker that has just spawned):
    an event naming it was claimed by an earlier process that had the same pid.
    Returns the ids of the events failed.
    """
    host = host or this_host()
    claimed_here = SyncEvent.objects.filter(status=SyncStatus.IN_PROGRESS, claimed_by__startswith=f"{host}:")
    failed = []
    rows = claimed_here.values_list("pk", "claimed_by", "heartbeat_at", "started_at")
    for event_id, claimed_by, heartbeat_at, started_at in rows:
        pid = _pid_of(claimed_by)
        if pid is None or (pid != idle_pid and _claimer_alive(pid, last_seen=heartbeat_at or started_at)):
            continue
        updated = SyncEvent.objects.filter(
            pk=event_id, status=SyncStatus.IN_PROGRESS, claimed_by=claimed_by
        ).update(status=SyncStatus.FAILED, error=WORKER_STOPPED_REASON, finished_at=timezone.now())
        if updated:
            failed.append(event_id)
    if failed:
        logger.warning("Failed imports %s: their worker on %s is gone", failed, host)
    return failed


def fail_stalled_runs(*, stall_after: timedelta = STALL_AFTER) -> int:
    """Fail in-progress events with no heartbeat (or start, if none yet) for `stall_after`.

    One UPDATE: the condition is re-checked by the database as it writes each row.
    Returns how many events were failed.
    """
    cutoff = timezone.now() - stall_after
    minutes = int(stall_after.total_seconds() // 60)
    count = (
        SyncEvent.objects.filter(status=SyncStatus.IN_PROGRESS)
        .filter(
            Q(heartbeat_at__lt=cutoff)
            | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
            | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
        )
        .update(
            status=SyncStatus.FAILED,
            error=STALLED_REASON.format(minutes=minutes),
            finished_at=timezone.now(),
        )
    )
    if count:
        logger.warning("Failed %s import(s) with no heartbeat since %s", count, cutoff.isoformat())
    return count


def _pid_of(claimed_by: str) -> int | None:
    _, _, pid = claimed_by.rpartition(":")
    try:
        return int(pid)
    except ValueError:
        return None


def _claimer_alive(pid: int, *, last_seen: datetime | None) -> bool:
    """Is the process that claimed the event, and wrote to it at `last_seen`, still `pid`?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    state, started = _process_state(pid)
    if state in ("Z", "X"):
        return False  # killed, only waiting for a parent to reap it
    # A pid is reused after a restart (containers count from 1 again). The claimer was
    # alive when it last wrote the heartbeat, so a process started after that is not it.
    if started is not None and last_seen is not None:
        return started <= last_seen.timestamp() + _START_TIME_SLACK
    return True


def _process_state(pid: int) -> tuple[str | None, float | None]:
    """The process's state letter and start (Unix time), from /proc (Linux); None where unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            stat = stat_file.read()
        with open("/proc/stat") as system_file:
            boot_time = next(int(line.split()[1]) for line in system_file if line.startswith("btime "))
        # The name (field 2) may hold spaces and parentheses: count from its closing one.
        # Then field 3 is the state and field 22 the start, in clock ticks since boot.
        fields = stat[stat.rindex(")") + 2 :].split()
        return fields[0], boot_time + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None, None
