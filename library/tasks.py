"""Django-Q entry points of library: call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job
from library import device_services


@job(label="Prune device sessions")
def prune_device_sessions() -> str:
    """Every 5 minutes (schedule "prune device sessions"): forget sessions that stopped pinging,
    so the table holds only what "signed in on another device" needs."""
    return f"{device_services.prune_device_sessions()} expired device session(s) removed"
