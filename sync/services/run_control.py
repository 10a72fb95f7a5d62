"""The listener's (and staff's) say over runs that have not started writing: cancel.

An import, route or restore that is queued (also postponed by a long Retry-After) or waiting
for confirmation ends as cancelled at once: a route's base is free for edits and new routes,
and its resume schedule goes. A running one cannot be cancelled (it is writing; it ends by
itself, and a stopped worker is failed by the clean-up). Confirming or discarding a route that
waits for the listener is routing's (routing.services.run_control), with the same refusals.

It is one conditional UPDATE on the event's status, so a worker claiming it meanwhile, or a
second click, finds nothing to do and gets a clear refusal.
"""

from __future__ import annotations

import logging

from django.db import transaction

from sync.models import SyncEvent
from core import runs
from core.runs import RunStatus
from sync.services.run_kinds import kind_of

logger = logging.getLogger(__name__)

__all__ = ["RunControlError", "cancel_run", "refusal", "task_for"]

CANCELLABLE = runs.CANCELLABLE_STATUSES


class RunControlError(Exception):
    """The run is not in a state that allows this (409); the message says which it is in."""


def task_for(kind: str) -> str:
    """The task that runs an event of `kind` (each app registers its kinds: sync.services.run_kinds)."""
    return kind_of(kind).task


def cancel_run(*, event: SyncEvent, by: str = "you") -> SyncEvent:
    """Cancel a queued, postponed or waiting run; RunControlError when it runs or has finished."""
    with transaction.atomic():
        # The row as it is now (a postponed run saved its progress in details): merge, not overwrite.
        current = SyncEvent.objects.select_for_update().filter(pk=event.pk, status__in=CANCELLABLE).first()
        if current is None or not runs.cancel(current, details={**(current.details or {}), "cancelled_by": by}):
            raise refusal(event, doing="cancelled")
    logger.info("%s #%s cancelled by %s", event.kind, event.pk, by)
    return SyncEvent.objects.get(pk=event.pk)


def refusal(event: SyncEvent, *, doing: str) -> RunControlError:
    """Why `event` cannot be `doing` ("cancelled", "confirmed", "discarded") as it stands now."""
    event = SyncEvent.objects.filter(pk=event.pk).first() or event
    kind = event.get_kind_display().lower()
    status = event.get_status_display().lower()
    if event.status == RunStatus.RUNNING:
        return RunControlError(
            f"{kind.capitalize()} #{event.pk} is running now and cannot be {doing}; it ends by itself."
        )
    if doing != "cancelled":
        return RunControlError(
            f"{kind.capitalize()} #{event.pk} is {status}: only a route that waits for your "
            f"confirmation can be {doing}."
        )
    return RunControlError(f"{kind.capitalize()} #{event.pk} is {status}; there is nothing to cancel.")
