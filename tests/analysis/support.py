"""Tracks of the sandbox catalog, mirrored as our rows, so LRCLIB-on-the-sandbox knows them.

The LLM sandbox serves lyrics for the Spotify sandbox's catalog (seed 1, scale 1): a track
falls in a bucket (lyrics, instrumental, missing) by a hash of its id, which
`sandbox.llm.lyrics.bucket` tells us without asking the server.
"""

from __future__ import annotations

from functools import lru_cache

from library.models import Album, Artist, Track, TrackArtist
from sandbox.catalog import build_catalog
from sandbox.llm.lyrics import INSTRUMENTAL, LYRICS, MISSING, bucket
from tests.library.factories import PlaylistFactory, PlaylistItemFactory, TrackFactory

__all__ = ["INSTRUMENTAL", "LYRICS", "MISSING", "catalog_track", "in_playlist_of"]


@lru_cache(maxsize=1)
def _catalog():
    return build_catalog(seed=1, scale=1.0)


def catalog_track(kind: str, *, nth: int = 0, explicit: bool | None = None, name: str | None = None) -> Track:
    """Our row for the nth catalog track in bucket `kind`, with its real name, artists, album
    and duration (`name` overrides the title, to make the exact look-up miss)."""
    catalog = _catalog()
    found = [
        track
        for track in catalog.tracks
        if bucket(track) == kind and (explicit is None or track.explicit == explicit)
    ]
    source = found[nth]
    existing = Track.objects.filter(pk=source.id).first()
    if existing is not None:
        return existing
    album = catalog.albums[source.album]
    track = TrackFactory(
        spotify_id=source.id,
        name=name or source.name,
        duration_ms=source.duration_ms,
        explicit=source.explicit,
        album=Album.objects.get_or_create(spotify_id=album.id, defaults={"name": album.name})[0],
        artist=False,
    )
    for position, index in enumerate(source.artists):
        artist = catalog.artists[index]
        row, _ = Artist.objects.get_or_create(spotify_id=artist.id, defaults={"name": artist.name})
        TrackArtist.objects.create(track=track, artist=row, position=position)
    return track


def in_playlist_of(user, *tracks: Track, playlist=None):
    """Put `tracks` in a playlist of `user` (a new one unless given); returns the playlist."""
    playlist = playlist or PlaylistFactory(user=user)
    for track in tracks:
        PlaylistItemFactory(playlist=playlist, track=track)
    return playlist
