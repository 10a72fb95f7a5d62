"""Factories of the mirror: the shared catalog (artists, albums, tracks) and a listener's playlists."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from library.models import Album, Artist, ItemKind, Playlist, PlaylistItem, Track, TrackArtist
from tests.accounts.factories import UserFactory


class ArtistFactory(DjangoModelFactory):
    class Meta:
        model = Artist

    spotify_id = factory.Sequence(lambda n: f"artist{n:018d}")
    name = factory.Sequence(lambda n: f"Artist {n}")


class AlbumFactory(DjangoModelFactory):
    class Meta:
        model = Album

    spotify_id = factory.Sequence(lambda n: f"album{n:019d}")
    name = factory.Sequence(lambda n: f"Album {n}")
    album_type = "album"
    release_date = "1999-01-01"
    release_date_precision = "day"
    release_year = 1999


class TrackFactory(DjangoModelFactory):
    """A track with one credited artist (`artist__name=...` to name it; `artist=None` for none)."""

    class Meta:
        model = Track
        skip_postgeneration_save = True

    spotify_id = factory.Sequence(lambda n: f"track{n:019d}")
    name = factory.Sequence(lambda n: f"Track {n}")
    duration_ms = 200_000
    album = factory.SubFactory(AlbumFactory)

    @factory.post_generation
    def artist(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        artist = extracted or ArtistFactory(**kwargs)
        TrackArtist.objects.create(track=self, artist=artist, position=0)


class PlaylistFactory(DjangoModelFactory):
    class Meta:
        model = Playlist

    user = factory.SubFactory(UserFactory)
    spotify_id = factory.Sequence(lambda n: f"playlist{n:016d}")
    name = factory.Sequence(lambda n: f"Playlist {n}")
    owner_spotify_id = factory.LazyAttribute(lambda o: f"owner-of-{o.spotify_id}")
    owner_name = "Someone"
    snapshot_id = factory.Sequence(lambda n: f"snapshot-{n}")
    list_position = factory.Sequence(lambda n: n + 1)


class PlaylistItemFactory(DjangoModelFactory):
    """A track item by default; `kind=ItemKind.EPISODE, track=None, name=...` for others."""

    class Meta:
        model = PlaylistItem

    playlist = factory.SubFactory(PlaylistFactory)
    position = factory.Sequence(lambda n: n)
    kind = ItemKind.TRACK
    track = factory.SubFactory(TrackFactory)
