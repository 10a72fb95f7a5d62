"""Django-Q entry points of library: call one service. Safe to run twice."""

from __future__ import annotations

from library import device_services


def prune_device_sessions() -> str:
    """Every 5 minutes (schedule "prune device sessions"): forget sessions that stopped pinging,
    so the table holds only what "signed in on another device" needs."""
    return f"{device_services.prune_device_sessions()} expired device session(s) removed"
