"""The listener's (and staff's) say over a run that has not started writing: cancel it; and the
one way a refusal is worded, for cancel, confirm and discard alike.

A queued (also postponed) or waiting run ends as cancelled at once, its resume schedule goes.
A running one cannot be cancelled (it is writing; it ends by itself, and a stopped worker is
handled by core.runs' recovery). It is one conditional UPDATE under the row's lock, so a worker
claiming it meanwhile, or a second click, finds nothing to do and gets a clear refusal.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from django.db import transaction

from core import runs
from core.errors import DomainError
from core.runs import CANCELLABLE_STATUSES, QueuedRun, RunStatus

logger = logging.getLogger(__name__)

Run = TypeVar("Run", bound=QueuedRun)


class RunControlError(DomainError):
    """The run is not in a state that allows this (409); the message says which it is in."""

    status = 409


def cancel_run(*, run: Run, by: str = "you") -> Run:
    """Cancel a queued, postponed or waiting run; RunControlError when it runs or has finished.
    Who cancelled it goes into the run's `details` where it has them (merged: a postponed run
    keeps its progress there)."""
    model = type(run)
    with transaction.atomic():
        current = model.objects.select_for_update().filter(pk=run.pk, status__in=CANCELLABLE_STATUSES).first()
        fields = {}
        if current is not None and hasattr(current, "details"):  # a model without details only ends
            fields = {"details": {**(current.details or {}), "cancelled_by": by}}
        if current is None or not runs.cancel(current, **fields):
            raise refusal(run, doing="cancelled")
    logger.info("%s #%s cancelled by %s", _name(run), run.pk, by)
    return model.objects.get(pk=run.pk)


def refusal(run: QueuedRun, *, doing: str) -> RunControlError:
    """Why `run` cannot be `doing` ("cancelled", "confirmed", "discarded") as it stands now."""
    run = type(run).objects.filter(pk=run.pk).first() or run
    name = f"{_name(run)} #{run.pk}"
    status = run.get_status_display().lower()
    if run.status == RunStatus.RUNNING:
        return RunControlError(f"{name} is running now and cannot be {doing}; it ends by itself.")
    if doing != "cancelled":
        return RunControlError(
            f"{name} is {status}: only a route that waits for your confirmation can be {doing}."
        )
    return RunControlError(f"{name} is {status}; there is nothing to cancel.")


def _name(run: QueuedRun) -> str:
    display = getattr(run, "get_kind_display", None)
    return (display() if display else run.run_label).capitalize()
