"""Pages' actions on one route run: retry or cancel it, confirm or discard its removals, restore its children.

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

from routing import display, selectors
from routing.models import RouteRun, RouteRunKind
from routing.naming import first_up, run_name
from routing.services import restore as restores
from routing.services import run_control, triggers
from routing.services.triggers import RouteTrigger, RouteTriggerError
from routing.throttles import RouteThrottle
from core.throttles import Throttled


def _back(event: RouteRun) -> HttpResponse:
    if event.base_id is None:
        return redirect("routing:index")
    return redirect("routing:base", pk=event.base_id)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        action=run_control.confirm_route,
        verb="confirm",
        # What the click did, not how the run goes: the route status on the page follows that.
        done="Confirmed: {name} makes the removals you saw "
        "(it asks again if it would now remove more).",
    )


@login_required
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        action=run_control.discard_route,
        verb="discard",
        done="Discarded {name}: nothing was written to your playlists.",
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a queued or postponed route or restore (or a route waiting for the listener)."""
    return _act(
        request,
        pk,
        action=run_control.cancel_route_run,
        verb="cancel",
        done="{Name} cancelled; nothing was written.",
    )


def _act(request: HttpRequest, pk: int, *, action, verb: str, done: str) -> HttpResponse:
    event = selectors.get_route_run(user=request.user, pk=pk)
    try:
        action(run=event)
    except run_control.RunControlError as exc:
        # A click that came after the run finished by itself (a page loaded while it was
        # queued): say that, not a refusal above a card that shows it finished.
        overtaken = display.describe_overtaken_action(
            selectors.get_route_run(user=request.user, pk=pk), verb=verb
        )
        if overtaken:
            messages.info(request, overtaken)
        else:
            messages.error(request, str(exc))
    else:
        name = run_name(event)
        messages.success(request, done.format(name=name, Name=first_up(name)))
    return _back(event)


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_route_run(user=request.user, pk=pk)
    if request.method == "GET":
        backups = list(selectors.list_backups(user=request.user, run=event))
        return render(
            request, "routing/restore.html", {"event": event, "backups": backups, "base": event.base}
        )
    try:
        RouteThrottle.check(request)  # a restore writes like a route: the same limit as the API
        restores.request_restore(event=event, trigger=RouteTrigger.BUTTON)
    except (Throttled, RouteTriggerError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            # Not "queued": the route status on the page says how it goes, and a flash saying
            # "queued" would stay above it once it says Done.
            f"Undo of {run_name(event)}: the children go back to what they held before it. "
            "It backs them up first, so it can be undone too.",
        )
    return _back(event)


@login_required
@require_POST
def route_retry(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_route_run(user=request.user, pk=pk)
    if event.base_id is None:
        raise Http404("No such route.")
    try:
        RouteThrottle.check(request)
        if event.kind == RouteRunKind.RESTORE:
            restores.retry_restore(event=event)
        else:
            triggers.retry_route(event=event)
    except (Throttled, RouteTriggerError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Retry of {run_name(event)}: it reads every child again and continues where that one stopped.",
        )
    return redirect("routing:base", pk=event.base_id)
