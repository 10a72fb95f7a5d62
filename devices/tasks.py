"""Django-Q entry points of devices: call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job
from devices import services


@job(label="Prune device sessions")
def prune_device_sessions() -> str:
    """Every 5 minutes (schedule "prune device sessions"): forget sessions that stopped pinging,
    so the table holds only what "signed in on another device" needs."""
    return f"{services.prune_device_sessions()} expired device session(s) removed"
