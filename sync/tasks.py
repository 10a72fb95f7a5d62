"""Django-Q entry points of sync: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from sync.services import cleanup, importer, route


def run_import(event_id: int) -> str:
    """Run the queued import `event_id`. A second delivery finds it claimed or finished and
    does nothing: the importer claims the event with one conditional UPDATE."""
    event = importer.run_import(event_id=event_id)
    if event is None:
        return f"import #{event_id}: no such event"
    return f"import #{event_id}: {event.status}"


def run_route(event_id: int) -> str:
    """Run the queued route `event_id`; a second delivery finds it claimed or finished."""
    event = route.run_route(event_id=event_id)
    if event is None:
        return f"route #{event_id}: no such event"
    return f"route #{event_id}: {event.status}"


def fail_stuck_events() -> str:
    """Every few minutes: fail imports and routes whose heartbeat stopped (their worker is gone)."""
    count = cleanup.fail_stalled_runs()
    return f"{count} stuck run(s) failed"
