"""Pages of the mirror: the user's playlists (searched and sorted) and one playlist's items."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from library import selectors

PLAYLISTS_PER_PAGE = 100
ITEMS_PER_PAGE = 100


@login_required
@require_GET
def playlists(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[: selectors.SEARCH_MAX_LENGTH]
    sort = selectors.playlist_sort(request.GET.get("sort"))
    found = selectors.browse_playlists(user=request.user, query=query, sort=sort)
    page = Paginator(found, PLAYLISTS_PER_PAGE).get_page(request.GET.get("page"))
    # What the page links keep: the next page stays within the search and its order.
    kept = {"q": query, "sort": sort if sort != selectors.DEFAULT_PLAYLIST_SORT else ""}
    context = {
        "page": page,
        "totals": selectors.get_library_totals(user=request.user),
        "query": query,
        "sort": sort,
        "page_query": urlencode({key: value for key, value in kept.items() if value}),
        "search_query": urlencode({"q": query}) if query else "",
    }
    return render(request, "library/playlists.html", context)


@login_required
@require_GET
def playlist(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_playlist(user=request.user, playlist_id=pk)
    if found is None:
        raise Http404("No such playlist.")
    items = selectors.list_playlist_items(playlist=found)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"playlist": found, "page": page, "counts": selectors.count_playlist_items(playlist=found)}
    return render(request, "library/playlist.html", context)
