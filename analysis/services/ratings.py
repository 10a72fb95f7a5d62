"""Stored ratings kept true to Spotify's explicit flag (analysis.vocabulary.rating_of).

An analysis is stored at least as explicit as its track was then. Spotify may mark a track explicit
later; an import refreshes the flag of the tracks of each playlist it reads again, so after it the
analyses of those tracks that are explicit now are raised to explicit: the song page, the API and
the filters all read the stored row. The routing filters also read the flag themselves, so a route
never depends on this having run.
"""

from __future__ import annotations

from collections.abc import Collection

from analysis.models import SongAnalysis
from library.models import PlaylistItem

EXPLICIT = "explicit"


def raise_ratings_of_explicit_tracks(*, playlist_ids: Collection[int]) -> int:
    """Analyses (of any prompt version) of the tracks in these playlists that Spotify marks explicit
    and that are rated below explicit, raised to explicit in one statement; how many. No playlist,
    no query."""
    if not playlist_ids:
        return 0
    explicit_tracks = PlaylistItem.objects.filter(playlist_id__in=playlist_ids, track__explicit=True)
    return (
        SongAnalysis.objects.filter(track_id__in=explicit_tracks.values("track_id"))
        .exclude(content_rating=EXPLICIT)
        .update(content_rating=EXPLICIT)
    )
