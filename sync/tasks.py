"""Django-Q entry points of sync: take ids, call one service. Safe to run twice."""

from __future__ import annotations

from core.jobs import job, user_of_row
from sync.services import cleanup, importer


@job(label="Import", user_of=user_of_row(model="sync.SyncEvent", name="event_id"))
def run_import(event_id: int, turn: int | None = None) -> str:
    """Run the queued import `event_id` for its `turn` (its claims so far when the task was sent).
    A second delivery, or a task of an older turn, finds it claimed, moved on or finished and does
    nothing: the importer claims the event with one conditional UPDATE."""
    event = importer.run_import(event_id=event_id, turn=turn)
    if event is None:
        return f"import #{event_id}: no such event"
    return f"import #{event_id}: {event.status}"


@job(label="Lost run sweep")
def requeue_lost_runs() -> str:
    """Every few minutes: enqueue again the queued imports whose task the broker lost."""
    return f"{len(cleanup.requeue_lost_runs())} lost run(s) enqueued again"


@job(label="Stuck sync clean-up")
def fail_stuck_events() -> str:
    """Every few minutes: fail imports whose heartbeat stopped (their worker is gone)."""
    count = cleanup.fail_stalled_runs()
    return f"{count} stuck run(s) failed"
