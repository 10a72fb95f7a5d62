"""Django-Q entry points of routing: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job, user_of_row
from routing.services import auto_route, backups, restore, route


@job(label="Route", user_of=user_of_row(model="sync.SyncEvent", name="event_id"))
def run_route(event_id: int) -> str:
    """Run the queued route `event_id`; a second delivery finds it claimed or finished."""
    event = route.run_route(event_id=event_id)
    if event is None:
        return f"route #{event_id}: no such event"
    return f"route #{event_id}: {event.status}"


@job(label="Restore", user_of=user_of_row(model="sync.SyncEvent", name="event_id"))
def run_restore(event_id: int) -> str:
    """Run the queued restore `event_id`; a second delivery finds it claimed or finished."""
    event = restore.run_restore(event_id=event_id)
    if event is None:
        return f"restore #{event_id}: no such event"
    return f"restore #{event_id}: {event.status}"


@job(label="Child backup pruning")
def prune_child_backups() -> str:
    """Daily: drop child backups past their retention (the newest few and a month are kept)."""
    return f"{backups.prune_backups()} child backup(s) pruned"


@job(label="Route bases done waiting for analyses")
def route_overdue_bases() -> str:
    """Every 5 minutes: route the automatic bases that waited for song analyses too long."""
    return f"{len(auto_route.route_overdue())} base(s) routed with the analyses there are"
