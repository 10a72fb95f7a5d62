"""Django-Q entry points of routing: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from routing.services import backups, restore, route


def run_route(event_id: int) -> str:
    """Run the queued route `event_id`; a second delivery finds it claimed or finished."""
    event = route.run_route(event_id=event_id)
    if event is None:
        return f"route #{event_id}: no such event"
    return f"route #{event_id}: {event.status}"


def run_restore(event_id: int) -> str:
    """Run the queued restore `event_id`; a second delivery finds it claimed or finished."""
    event = restore.run_restore(event_id=event_id)
    if event is None:
        return f"restore #{event_id}: no such event"
    return f"restore #{event_id}: {event.status}"


def prune_child_backups() -> str:
    """Daily: drop child backups past their retention (the newest few and a month are kept)."""
    return f"{backups.prune_backups()} child backup(s) pruned"
