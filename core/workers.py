"""Which cluster worker holds a claim, and whether that process is still alive.

Imports, routes and analysis batches record the worker that claimed them as "host:pid".
When a worker spawns, each app asks here whether the claimer of a run on this host is
gone (dead, a zombie, or a newer process that reused its pid), and hands the run back.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

# /proc start times are precise to the second (the boot time is whole seconds).
_START_TIME_SLACK = 2.0


def this_host() -> str:
    """The host part of a claim ("host:pid") for workers on this machine."""
    return socket.gethostname()


def worker_name() -> str:
    """This process's claim name, "host:pid" (fits the 200-character claimed_by columns)."""
    return f"{this_host()}:{os.getpid()}"[:200]


def pid_of(claimed_by: str) -> int | None:
    _, _, pid = claimed_by.rpartition(":")
    try:
        return int(pid)
    except ValueError:
        return None


def claimer_gone(*, claimed_by: str, last_seen: datetime | None, idle_pid: int | None = None) -> bool:
    """Is the worker named `claimed_by` (on this host), which last wrote at `last_seen`, gone?

    `idle_pid` is a process known to run nothing yet (a worker that has just spawned): a
    claim naming it was made by an earlier process with the same pid. A claim with no pid
    is never called gone (it is not ours to judge).
    """
    pid = pid_of(claimed_by)
    if pid is None:
        return False
    return pid == idle_pid or not _claimer_alive(pid, last_seen=last_seen)


def _claimer_alive(pid: int, *, last_seen: datetime | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    state, started = process_state(pid)
    if state in ("Z", "X"):
        return False  # killed, only waiting for a parent to reap it
    # A pid is reused after a restart (containers count from 1 again). The claimer was
    # alive when it last wrote, so a process started after that is not it.
    if started is not None and last_seen is not None:
        return started <= last_seen.timestamp() + _START_TIME_SLACK
    return True


def process_state(pid: int) -> tuple[str | None, float | None]:
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
