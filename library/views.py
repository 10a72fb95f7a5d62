"""Pages of the mirror: the user's playlists and one playlist's items."""

from __future__ import annotations

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
    playlists_page = Paginator(selectors.list_playlists(user=request.user), PLAYLISTS_PER_PAGE)
    page = playlists_page.get_page(request.GET.get("page"))
    context = {"page": page, "totals": selectors.get_library_totals(user=request.user)}
    return render(request, "library/playlists.html", context)


@login_required
@require_GET
def playlist(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_playlist(user=request.user, playlist_id=pk)
    if found is None:
        raise Http404("No such playlist.")
    items = selectors.list_playlist_items(playlist=found)
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "library/playlist.html", {"playlist": found, "page": page})
