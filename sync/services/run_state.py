"""What sync adds to core.runs for its imports (SyncEvent): the claim of an import, its resume
schedule's name, and handing it to the broker after commit. The Spotify ledger every run shares
is spotify.runs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core import recovery, runs
from core.runs import RunStatus
from sync.models import SyncEvent, SyncKind


def resume_schedule_name(*, label: str, event_id: int) -> str:
    """The Django-Q schedule that resumes a postponed run; one per event (SyncEvent's own)."""
    return f"sync-{label}-resume-{event_id}"


def claim_event(
    *,
    event_id: int,
    kind: SyncKind,
    reset: dict[str, Any],
    select_related: tuple[str, ...] = (),
    turn: int | None = None,
) -> SyncEvent | None:
    """Move a due, queued event of `kind` to running for this worker (core.runs.claim) and load
    it; None if not ours to run. A resumed run keeps its first started_at; `reset` names the
    progress fields it starts over."""
    claim = runs.claim(
        SyncEvent, pk=event_id, where={"kind": kind}, select_related=select_related, turn=turn, **reset
    )
    return None if claim is None else claim.run


def task_looks_lost(event: SyncEvent) -> bool:
    """Queued, due and its task long unclaimed (core.runs' one rule): the next trigger sends it again."""
    return event.status == RunStatus.QUEUED and recovery.looks_lost(event)


def enqueue_run(*, event_id: int, task: str, label: str, failed_reason: str) -> None:
    """Enqueue `task(event_id)` once the current transaction commits (at once outside one).

    A broker that does not answer fails the still-queued event with `failed_reason`, so
    it never stays queued for ever (and blocks the next trigger).
    """
    transaction.on_commit(
        lambda: runs.enqueue_now(model=SyncEvent, pk=event_id, task=task, failed_reason=failed_reason)
    )
