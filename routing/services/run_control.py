"""The listener's say over a route or restore that has not started writing: cancel it (any
queued one), or confirm or discard a route that stopped before removing much.

- Confirm: the route waiting for confirmation is queued again with the removals the listener
  saw marked as agreed; the run re-plans, and asks again if it would now remove more.
- Discard: the same as cancelling it; nothing was written.

Each is one conditional UPDATE on the run's status (core.run_control), so a worker claiming it
meanwhile, or a second click, finds nothing to do and gets a clear refusal.
"""

from __future__ import annotations

from django.db import transaction

from core import runs
from core.run_control import RunControlError, cancel_run, refusal
from core.runs import RunStatus
from routing.models import RouteRun, RouteRunKind
from routing.services.route_state import CONFIRMATION, CONFIRMED

__all__ = ["RunControlError", "cancel_route_run", "confirm_route", "discard_route"]

ENQUEUE_FAILED_REASON = "The run could not be queued again (the task broker did not answer). Try again."


def cancel_route_run(*, run: RouteRun, by: str = "you") -> RouteRun:
    """Cancel a queued, postponed or waiting route or restore: its base is free at once."""
    return cancel_run(run=run, by=by)


def confirm_route(*, run: RouteRun) -> RouteRun:
    """The listener agrees to the removals the route showed: queue it again to make them."""
    current = RouteRun.objects.filter(pk=run.pk).first()
    if current is None or current.kind != RouteRunKind.ROUTE or current.status != RunStatus.WAITING:
        raise refusal(current or run, doing="confirmed")
    details = dict(current.details or {})
    confirmed = dict(details.get(CONFIRMED) or {})
    for child in (details.get(CONFIRMATION) or {}).get("children", []):
        confirmed[child["spotify_id"]] = sorted(
            set(confirmed.get(child["spotify_id"], [])) | set(child["removals"])
        )
    details[CONFIRMED] = confirmed
    with transaction.atomic():
        updated = RouteRun.objects.filter(pk=run.pk, status=RunStatus.WAITING).update(
            status=RunStatus.QUEUED, details=details, resume_at=None, claimed_by=""
        )
        if not updated:
            raise refusal(run, doing="confirmed")
        runs.enqueue_on_commit(current, failed_reason=ENQUEUE_FAILED_REASON)
    return RouteRun.objects.get(pk=run.pk)


def discard_route(*, run: RouteRun) -> RouteRun:
    """The listener refuses the removals: the route ends cancelled, nothing written."""
    if run.kind != RouteRunKind.ROUTE or run.status != RunStatus.WAITING:
        raise refusal(run, doing="discarded")
    return cancel_run(run=run, by="you (discarded)")
