"""Admin list actions as a staff member runs them, for the tests of who may run which."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model
from django.http import HttpResponse
from django.test import Client

RETRY, CANCEL = "retry_selected", "cancel_selected"


def run_action(client: Client, changelist: str, action: str, *objects: Model) -> HttpResponse:
    """POST `action` on `objects` from their admin list, and follow the answer back to it."""
    selected = [obj.pk for obj in objects]
    return client.post(changelist, {"action": action, "_selected_action": selected}, follow=True)


@dataclass(frozen=True)
class RetryAndCancel:
    """What a run list offered the signed-in staff member, and what its actions then did."""

    offered: frozenset[str]  # of RETRY and CANCEL, those the list's action menu shows
    retried: bool  # the failed run has a retry
    queued_status: str  # the queued run's status afterwards


def retry_and_cancel(client: Client, changelist: str, *, failed: Model, queued: Model) -> RetryAndCancel:
    """Open a run list (route runs, imports: each with retry_of and a status), retry `failed` and
    cancel `queued` from it, whether or not the list offered the actions: a POST must be refused
    on its own, not only hidden from the menu."""
    listing = client.get(changelist).content.decode()
    run_action(client, changelist, RETRY, failed)
    run_action(client, changelist, CANCEL, queued)
    queued.refresh_from_db()
    return RetryAndCancel(
        offered=frozenset(action for action in (RETRY, CANCEL) if f'value="{action}"' in listing),
        retried=type(failed).objects.filter(retry_of=failed).exists(),
        queued_status=queued.status,
    )
