"""A base for "why is this track here": three songs and a local file, a clean child (rebuild) and
a 2010s child (add only); `mirror` gives a child what an import of it would have stored."""

from __future__ import annotations

from django.utils import timezone

from library.models import ItemKind
from routing.models import ChildMode
from tests.library.factories import AlbumFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.filter_support import cond, doc

CLEAN = doc(cond("explicit", "is", False))
TENS = doc(cond("release_year", "between", {"min": 2010, "max": 2019}))


def song(name: str, *, year: int, explicit: bool = False):
    return TrackFactory(name=name, explicit=explicit, album=AlbumFactory(release_date=f"{year}-01-01", release_year=year))


def make_world(**base_fields):
    base = BasePlaylistFactory(playlist__name="Everything", playlist__items_imported_at=timezone.now(), **base_fields)
    tracks = {
        "calm": song("Calm Waters", year=2014),
        "loud": song("Loud Night", year=2015, explicit=True),
        "old": song("Old Tune", year=1990),
    }
    for track in tracks.values():
        PlaylistItemFactory(playlist=base.playlist, track=track)
    PlaylistItemFactory(playlist=base.playlist, kind=ItemKind.LOCAL, track=None, local_name="Demo Tape", uri="spotify:local:x")
    clean = ChildPlaylistFactory(base=base, name="Clean", filters=CLEAN)
    tens = ChildPlaylistFactory(base=base, name="Tens", filters=TENS, mode=ChildMode.ADD_ONLY)
    return base, tracks, clean, tens


def mirror(child, *tracks, imported_at=None):
    playlist = PlaylistFactory(
        user=child.user, spotify_id=child.spotify_id, items_imported_at=imported_at or timezone.now()
    )
    for track in tracks:
        PlaylistItemFactory(playlist=playlist, track=track)
    return playlist
