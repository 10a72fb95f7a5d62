"""The "Devices & library" page: the listener's active sessions and the library their devices
merged, as the API would answer it (clients write it; this page only reads)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from devices import selectors

# The library is bounded by the API's limits (5,000 favorites, 500 plays); a page need not show all.
SHOWN_FAVORITES = 100
SHOWN_HISTORY = 50


@login_required
@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    library = selectors.library_from_rows(selectors.get_library_rows(user=request.user))
    favorites = [favorite for favorite in library.favorites if not favorite.removed]
    playlists = [playlist for playlist in library.playlists if playlist.removed_at is None]
    shown_favorites, shown_history = favorites[:SHOWN_FAVORITES], library.history[:SHOWN_HISTORY]
    queue_items = library.queue.items if library.queue else ()
    context = {
        "sessions": list(selectors.active_sessions(user=request.user)),
        # The tracks the page names from the catalog, in one go (library's `catalog_names` tag):
        # an app may send a bare track id, which is no title for a listener.
        "track_ids": sorted(
            {ref.track for ref in (*(e.ref for e in (*shown_favorites, *shown_history)), *queue_items)
             if not (ref.title and ref.artist)}
        ),  # fmt: skip
        "favorites": shown_favorites,
        "favorites_more": max(len(favorites) - SHOWN_FAVORITES, 0),
        "favorites_total": len(favorites),
        "history": shown_history,
        "history_more": max(len(library.history) - SHOWN_HISTORY, 0),
        "history_total": len(library.history),
        "queue": library.queue,
        "playlists": playlists,
        "preferences": library.preferences,
        "recent_searches": library.recent_searches,
    }
    return render(request, "devices/devices.html", context)
