"""The history page: plays by day, with a band wherever plays may be missing."""

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
    page = Paginator(selectors.list_plays(user=request.user), PLAYS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    plays = list(page.object_list)
    gaps = selectors.gaps_around(
        user=request.user, plays=plays, newest_page=not page.has_previous(), oldest_page=not page.has_next()
    )
    context = {
        "page": page,
        "days": selectors.history_days(plays=plays, gaps=gaps),
        "status": selectors.get_history_state(user=request.user),
    }
    return render(request, "insights/history.html", context)
