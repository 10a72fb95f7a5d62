"""The history page: plays by day, with a band wherever plays may be missing.

Its header says what the history spans from the plays themselves: the first poll stores the
plays Spotify still had (its newest 50), so the oldest play is usually older than polling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.runs import RunStatus
from insights import selectors
from insights.services.history_import import request_history_import
from insights.throttles import HistoryUploadThrottle

PLAYS_PER_PAGE = 100


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    span = selectors.play_span(user=request.user)
    paginator = Paginator(selectors.list_plays(user=request.user), PLAYS_PER_PAGE)
    paginator.count = span.count  # counted with the span's aggregate: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    plays = list(page.object_list)
    gaps = selectors.gaps_around(
        user=request.user, plays=plays, newest_page=not page.has_previous(), oldest_page=not page.has_next()
    )
    status = selectors.get_history_state(user=request.user)
    context = {
        "history_import": selectors.latest_history_import(user=request.user),
        "track_lookup": selectors.latest_track_lookup(user=request.user),
        "page": page,
        "days": selectors.history_days(plays=plays, gaps=gaps),
        "status": status,
        "span": span,
        # Plays older than the first poll came with it: Spotify's newest 50 at that moment.
        "backfilled": bool(
            status
            and status.first_polled_at
            and span.first_played_at
            and span.first_played_at < status.first_polled_at
        ),
    }
    return render(request, "insights/history.html", context)


@login_required
@require_POST
def upload_export(request: HttpRequest) -> HttpResponse:
    """The history page's upload form: the export is checked before anything is stored, so a
    refusal leaves everything as it was and says why."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose the zip from Spotify's privacy page first.")
        return redirect("insights:history")
    try:
        HistoryUploadThrottle.check(request)  # the API's upload limit and counter
        run = request_history_import(user=request.user, upload=upload)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if run.status == RunStatus.SUCCEEDED:
            messages.info(request, run.note)
        else:
            messages.success(request, "Your export is being imported: its progress shows below.")
    return redirect("insights:history")
