"""The song page: a track's metadata, its lyrics status and its analysis."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analysis import selectors
from analysis.vocabulary import FLAG_LABELS


@login_required
@require_GET
def song(request: HttpRequest, spotify_id: str) -> HttpResponse:
    page = selectors.get_song(user=request.user, spotify_id=spotify_id)
    if page is None:
        # Not in any of this listener's playlists: the same answer as a track that does not exist.
        raise Http404("No such song in your library.")
    flags = []
    if page.analysis is not None:
        flags = [FLAG_LABELS[name] for name, raised in page.analysis.flags.items() if raised]
    seconds = page.track.duration_ms // 1000
    context = {
        "song": page,
        "track": page.track,
        "flags": flags,
        "duration": f"{seconds // 60}:{seconds % 60:02d}",
    }
    return render(request, "analysis/song.html", context)
