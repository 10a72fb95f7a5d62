"""Account Data's plays (names only, no track id) matched to tracks of the mirror.

Exactly first: the track name and the main artist's name as Spotify spells them. Then, for what
is left, the same two names folded (case, accents, punctuation and spacing: "Beyoncé" and
"beyonce", "Don't Stop" and "Dont stop") against the listener's own tracks: those in their
playlists and those they played. The folded index is built once per import turn, from the
listener's tracks only, so its size is the listener's library, not the whole shared catalog.

Several releases of one song share both names: the lowest id is taken, so every import of the
same export picks the same track (and a second import recognises its plays).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from django.db.models import Q

from accounts.models import User
from insights.services.spotify_export import ExportPlay
from library.models import TrackArtist


def fold(name: str) -> str:
    """A name as a listener would read it: accents dropped, case folded, only letters and digits
    kept, single spaces between words."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = "".join(ch if ch.isalnum() else " " if ch.isspace() or ch in "-/&,." else "" for ch in plain)
    return " ".join(words.split())


class NameMatcher:
    """Matches one import's name-only plays; keeps the listener's folded index between batches."""

    def __init__(self, *, user: User) -> None:
        self.user = user
        self._folded: dict[tuple[str, str], str] | None = None

    def match(self, *, plays: Sequence[ExportPlay]) -> dict[tuple[str, str], str]:
        """(track name, artist name) as the export spells them → a track id, for those found."""
        found = _exact(names={play.track_name for play in plays})
        missing = {(play.track_name, play.artist_name) for play in plays} - found.keys()
        if missing:
            index = self._index()
            for track_name, artist_name in missing:
                key = (fold(track_name), fold(artist_name))
                if not all(key):  # a name of punctuation only folds to nothing: no match by it
                    continue
                track_id = index.get(key)
                if track_id is not None:
                    found[(track_name, artist_name)] = track_id
        return found

    def _index(self) -> dict[tuple[str, str], str]:
        if self._folded is None:
            # Two queries, not one OR across both joins (which would multiply items by plays).
            mine = [Q(track__items__playlist__user=self.user), Q(track__plays__user=self.user)]
            self._folded = _lowest_ids(
                ((fold(track_name), fold(artist_name)), track_id)
                for where in mine
                for track_name, artist_name, track_id in TrackArtist.objects.filter(where, position=0)
                .values_list("track__name", "artist__name", "track_id")
                .distinct()
            )
        return self._folded


def _exact(*, names: set[str]) -> dict[tuple[str, str], str]:
    if not names:
        return {}
    credits = TrackArtist.objects.filter(position=0, track__name__in=names).values_list(
        "track__name", "artist__name", "track_id"
    )
    return _lowest_ids(((track_name, artist_name), track_id) for track_name, artist_name, track_id in credits)


def _lowest_ids(pairs: Iterable[tuple[tuple[str, str], str]]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for key, track_id in pairs:
        if key not in found or track_id < found[key]:
            found[key] = track_id
    return found
