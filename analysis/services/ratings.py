"""Stored ratings kept true to Spotify's explicit flag (analysis.vocabulary.rating_of).

An analysis is stored at least as explicit as its track was then. Spotify may mark a track explicit
later (an import refreshes the flag), so after each import the listener's tracks that are explicit
now have their analyses raised to explicit: the song page, the API and the filters all read the
stored row. The routing filters also read the flag themselves, so a route never waits for this.
"""

from __future__ import annotations

from analysis.models import SongAnalysis
from library.models import PlaylistItem

EXPLICIT = "explicit"


def raise_ratings_of_explicit_tracks(*, user_id: int) -> int:
    """Analyses (of any prompt version) of the user's tracks Spotify marks explicit that are rated
    below explicit, raised to explicit in one statement; how many."""
    explicit_tracks = PlaylistItem.objects.filter(playlist__user_id=user_id, track__explicit=True)
    return (
        SongAnalysis.objects.filter(track_id__in=explicit_tracks.values("track_id"))
        .exclude(content_rating=EXPLICIT)
        .update(content_rating=EXPLICIT)
    )
