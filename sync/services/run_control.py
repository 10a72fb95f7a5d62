"""The listener's (and staff's) say over runs that have not started writing: cancel, confirm, discard.

- Cancel: an import, route or restore that is queued (also postponed by a long Retry-After)
  or waiting for confirmation ends as cancelled at once: its base is free for edits and new
  routes, and its resume schedule goes. A running one cannot be cancelled (it is writing;
  it ends by itself, and a stopped worker is failed by the clean-up).
- Confirm: a route waiting for confirmation is queued again with the removals the listener
  saw marked as agreed; the run re-plans, and asks again if it would now remove more.
- Discard: the same as cancel for a route waiting for confirmation; nothing was written.

Each is one conditional UPDATE on the event's status, so a worker claiming it meanwhile,
or a second click, finds nothing to do and gets a clear refusal.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from sync.models import SyncEvent, SyncKind, SyncStatus
from sync.services import run_state
from sync.services.restore import RUN_RESTORE_TASK
from sync.services.route_state import CONFIRMATION, CONFIRMED, RUN_ROUTE_TASK
from sync.services.triggers import RUN_IMPORT_TASK

logger = logging.getLogger(__name__)

__all__ = ["RunControlError", "cancel_run", "confirm_route", "discard_route", "task_for"]

CANCELLABLE = (SyncStatus.QUEUED, SyncStatus.AWAITING_CONFIRMATION)
TASKS = {SyncKind.IMPORT: RUN_IMPORT_TASK, SyncKind.ROUTE: RUN_ROUTE_TASK, SyncKind.RESTORE: RUN_RESTORE_TASK}
ENQUEUE_FAILED_REASON = "The run could not be queued again (the task broker did not answer). Try again."


class RunControlError(Exception):
    """The run is not in a state that allows this (409); the message says which it is in."""


def task_for(kind: str) -> str:
    return TASKS[SyncKind(kind)]


def cancel_run(*, event: SyncEvent, by: str = "you") -> SyncEvent:
    """Cancel a queued, postponed or waiting run; RunControlError when it runs or has finished."""
    with transaction.atomic():
        # The row as it is now (a postponed run saved its progress in details): merge, not overwrite.
        current = SyncEvent.objects.select_for_update().filter(pk=event.pk, status__in=CANCELLABLE).first()
        if current is None:
            raise _not_now(event, doing="cancelled")
        details = {**(current.details or {}), "cancelled_by": by}
        updated = SyncEvent.objects.filter(pk=event.pk, status__in=CANCELLABLE).update(
            status=SyncStatus.CANCELLED, finished_at=timezone.now(), resume_at=None, details=details
        )
        if not updated:
            raise _not_now(event, doing="cancelled")
        Schedule.objects.filter(
            name=run_state.resume_schedule_name(label=event.kind, event_id=event.pk)
        ).delete()
    logger.info("%s #%s cancelled by %s", event.kind, event.pk, by)
    return SyncEvent.objects.get(pk=event.pk)


def confirm_route(*, event: SyncEvent) -> SyncEvent:
    """The listener agrees to the removals the route showed: queue it again to make them."""
    current = SyncEvent.objects.filter(pk=event.pk).first()
    if (
        current is None
        or current.kind != SyncKind.ROUTE
        or current.status != SyncStatus.AWAITING_CONFIRMATION
    ):
        raise _not_now(current or event, doing="confirmed")
    details = dict(current.details or {})
    confirmed = dict(details.get(CONFIRMED) or {})
    for child in (details.get(CONFIRMATION) or {}).get("children", []):
        confirmed[child["spotify_id"]] = sorted(
            set(confirmed.get(child["spotify_id"], [])) | set(child["removals"])
        )
    details[CONFIRMED] = confirmed
    with transaction.atomic():
        updated = SyncEvent.objects.filter(pk=event.pk, status=SyncStatus.AWAITING_CONFIRMATION).update(
            status=SyncStatus.QUEUED, details=details, resume_at=None, claimed_by=""
        )
        if not updated:
            raise _not_now(event, doing="confirmed")
        run_state.enqueue_run(
            event_id=event.pk, task=RUN_ROUTE_TASK, label="route", failed_reason=ENQUEUE_FAILED_REASON
        )
    return SyncEvent.objects.get(pk=event.pk)


def discard_route(*, event: SyncEvent) -> SyncEvent:
    """The listener refuses the removals: the route ends cancelled, nothing written."""
    if event.kind != SyncKind.ROUTE or event.status != SyncStatus.AWAITING_CONFIRMATION:
        raise _not_now(event, doing="discarded")
    return cancel_run(event=event, by="you (discarded)")


def _not_now(event: SyncEvent, *, doing: str) -> RunControlError:
    event = SyncEvent.objects.filter(pk=event.pk).first() or event
    kind = event.get_kind_display().lower()
    status = event.get_status_display().lower()
    if event.status == SyncStatus.IN_PROGRESS:
        return RunControlError(
            f"{kind.capitalize()} #{event.pk} is running now and cannot be {doing}; it ends by itself."
        )
    if doing != "cancelled":
        return RunControlError(
            f"{kind.capitalize()} #{event.pk} is {status}: only a route that waits for your "
            f"confirmation can be {doing}."
        )
    return RunControlError(f"{kind.capitalize()} #{event.pk} is {status}; there is nothing to cancel.")
