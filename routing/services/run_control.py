"""The listener's say over a route that stopped before removing much: confirm or discard it.

- Confirm: the route waiting for confirmation is queued again with the removals the listener
  saw marked as agreed; the run re-plans, and asks again if it would now remove more.
- Discard: the same as cancelling it (sync.services.run_control); nothing was written.

Each is one conditional UPDATE on the event's status, so a worker claiming it meanwhile, or a
second click, finds nothing to do and gets a clear refusal (sync's RunControlError).
"""

from __future__ import annotations

from django.db import transaction

from routing.services.route_state import CONFIRMATION, CONFIRMED, RUN_ROUTE_TASK
from sync.models import SyncEvent, SyncKind
from core.runs import RunStatus
from sync.services import run_state
from sync.services.run_control import RunControlError, cancel_run, refusal

__all__ = ["RunControlError", "confirm_route", "discard_route"]

ENQUEUE_FAILED_REASON = "The run could not be queued again (the task broker did not answer). Try again."


def confirm_route(*, event: SyncEvent) -> SyncEvent:
    """The listener agrees to the removals the route showed: queue it again to make them."""
    current = SyncEvent.objects.filter(pk=event.pk).first()
    if (
        current is None
        or current.kind != SyncKind.ROUTE
        or current.status != RunStatus.WAITING
    ):
        raise refusal(current or event, doing="confirmed")
    details = dict(current.details or {})
    confirmed = dict(details.get(CONFIRMED) or {})
    for child in (details.get(CONFIRMATION) or {}).get("children", []):
        confirmed[child["spotify_id"]] = sorted(
            set(confirmed.get(child["spotify_id"], [])) | set(child["removals"])
        )
    details[CONFIRMED] = confirmed
    with transaction.atomic():
        updated = SyncEvent.objects.filter(pk=event.pk, status=RunStatus.WAITING).update(
            status=RunStatus.QUEUED, details=details, resume_at=None, claimed_by=""
        )
        if not updated:
            raise refusal(event, doing="confirmed")
        run_state.enqueue_run(
            event_id=event.pk, task=RUN_ROUTE_TASK, label="route", failed_reason=ENQUEUE_FAILED_REASON
        )
    return SyncEvent.objects.get(pk=event.pk)


def discard_route(*, event: SyncEvent) -> SyncEvent:
    """The listener refuses the removals: the route ends cancelled, nothing written."""
    if event.kind != SyncKind.ROUTE or event.status != RunStatus.WAITING:
        raise refusal(event, doing="discarded")
    return cancel_run(event=event, by="you (discarded)")
