"""The history page: plays by day, with a band wherever plays may be missing.

Its header says what the history spans from the plays themselves: the first poll stores the
plays Spotify still had (its newest 50), so the oldest play is usually older than polling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insights import selectors

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
