"""Pages' actions on one route run: confirm or discard its removals, restore its children.

Confirm and Discard answer a route that stopped before writing because it would remove much;
Restore brings the children a run wrote to back to what they held before it (a GET shows
what each will hold again, the POST queues the restore). Each answers with a message and a
redirect to the base, like the other route triggers; another listener's run is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sync import selectors
from sync.models import ROUTING_KINDS, SyncEvent, SyncKind
from sync.services import restore as restores
from sync.services import run_control
from sync.services.route_triggers import RouteTrigger, RouteTriggerError


def _own_run(request: HttpRequest, pk: int) -> SyncEvent:
    event = selectors.get_sync_event(user=request.user, event_id=pk)
    if event is None or event.kind not in ROUTING_KINDS:
        raise Http404("No such route.")
    return event


def _back(event: SyncEvent) -> HttpResponse:
    if event.base_id is None:
        return redirect("sync:routing")
    return redirect("sync:routing-base", pk=event.base_id)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        action=run_control.confirm_route,
        done="Confirmed: route #{pk} is queued again and will make the removals you saw "
        "(it asks again if it would now remove more).",
    )


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        action=run_control.discard_route,
        done="Discarded route #{pk}: nothing was written to your playlists.",
    )


def _act(request: HttpRequest, pk: int, *, action, done: str) -> HttpResponse:
    event = _own_run(request, pk)
    try:
        action(event=event)
    except run_control.RunControlError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done.format(pk=event.pk))
    return _back(event)


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    event = _own_run(request, pk)
    if request.method == "GET":
        backups = list(selectors.list_backups(user=request.user, run=event))
        return render(
            request, "sync/routing/restore.html", {"event": event, "backups": backups, "base": event.base}
        )
    try:
        queued = restores.request_restore(event=event, trigger=RouteTrigger.BUTTON)
    except RouteTriggerError as exc:
        messages.error(request, str(exc))
    else:
        kind = "route" if event.kind == SyncKind.ROUTE else "restore"
        messages.success(
            request,
            f"Restore #{queued.pk} queued: the children go back to what they held before {kind} #{event.pk}. "
            "It backs them up first, so it can be undone too.",
        )
    return _back(event)
