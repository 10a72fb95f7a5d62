"""Pages' actions for runs: "Sync now", "Retry" (imports) and "Cancel" (any queued run); all POST.

"Sync now" and "Retry" count toward the same imports limit as the API (sync.throttles); past it,
the dashboard says how long to wait. What they started is the import card's to show (it follows
the run live), so they flash no "in progress" message that the card would contradict later."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sync import selectors
from core import run_control
from core.throttles import Throttled
from sync.services import triggers
from sync.throttles import ImportThrottle


@login_required
@require_POST
def import_now(request: HttpRequest) -> HttpResponse:
    try:
        ImportThrottle.check(request)
        _, created = triggers.request_import(user=request.user, trigger=triggers.Trigger.BUTTON)
    except (Throttled, triggers.ImportTriggerError) as exc:
        messages.error(request, str(exc))
    # Queued, or one under way already: no message. The dashboard's import card shows the run and
    # follows it live; a flash saying "being mirrored" would stay above it once the card says
    # Done (a flash is fixed when the page is served). Messages here say what a click did not do
    # or what it ended, never how a run is going.
    return redirect("accounts:dashboard")


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_sync_event(user=request.user, event_id=pk)
    if event is None:
        raise Http404("No such import.")
    try:
        ImportThrottle.check(request)
        triggers.retry_import(event=event)
    except (Throttled, triggers.ImportTriggerError) as exc:
        messages.error(request, str(exc))
    # Retried: no message, as for "Sync now": the import card shows the run from here on.
    return redirect("accounts:dashboard")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a queued or postponed run of the listener's (or a route waiting for them)."""
    event = selectors.get_sync_event(user=request.user, event_id=pk)
    if event is None:
        raise Http404("No such run.")
    try:
        run_control.cancel_run(run=event)
    except run_control.RunControlError as exc:
        messages.error(request, str(exc))
    else:
        kept = "the playlists it imported are kept" if event.started_at else "nothing was written"
        messages.success(request, f"{event.get_kind_display()} #{event.pk} cancelled; {kept}.")
    return redirect("accounts:dashboard")
