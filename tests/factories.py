"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import SpotifyCredential, User
from library.models import Album, Artist, ItemKind, Playlist, PlaylistItem, Track, TrackArtist
from routing.models import (
    BasePlaylist,
    ChildBackup,
    ChildMode,
    ChildPlaylist,
    RoutedPlaylist,
    default_filters,
)
from sync.models import ImportScope, SyncEvent, SyncKind
from core.runs import RunStatus


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"listener{n}")
    display_name = factory.Sequence(lambda n: f"Listener {n}")
    password = factory.django.Password("not-used-spotify-only")


class SpotifyCredentialFactory(DjangoModelFactory):
    """A connected user. Tokens are made up: calls to the sandbox need `sandbox.issue_token()`.

    Traits: `expired=True` (access token past its expiry), `reconnect=True` (grant revoked),
    `rate_limited=True` (Spotify asked us to pause for an hour).
    """

    class Meta:
        model = SpotifyCredential

    user = factory.SubFactory(UserFactory)
    spotify_user_id = factory.Sequence(lambda n: f"spotify-user-{n}")
    access_token = factory.Sequence(lambda n: f"made-up-access-token-{n:04d}")
    refresh_token = factory.Sequence(lambda n: f"made-up-refresh-token-{n:04d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    scopes = factory.LazyFunction(lambda: " ".join(sorted(settings.SPOTIFY_SCOPES)))

    class Params:
        expired = factory.Trait(
            expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
        )
        reconnect = factory.Trait(reconnect_needed=True, reconnect_reason="Spotify refused the stored grant.")
        rate_limited = factory.Trait(
            rate_limited_until=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
        )


# --- library and sync ------------------------------------------------------------------


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


class SyncEventFactory(DjangoModelFactory):
    """A queued import. Traits: `running`, `completed`, `failed` (with a reason)."""

    class Meta:
        model = SyncEvent

    user = factory.SubFactory(UserFactory)
    kind = SyncKind.IMPORT
    status = RunStatus.QUEUED
    scope = ImportScope.INCREMENTAL
    trigger = "button"

    class Params:
        running = factory.Trait(
            status=RunStatus.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            heartbeat_at=factory.LazyFunction(timezone.now),
            playlists_total=10,
            playlists_done=4,
            items_done=120,
        )
        completed = factory.Trait(
            status=RunStatus.SUCCEEDED,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=2)),
            finished_at=factory.LazyFunction(timezone.now),
            playlists_total=10,
            playlists_done=10,
            playlists_changed=10,
            items_done=300,
        )
        failed = factory.Trait(
            status=RunStatus.FAILED,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=2)),
            finished_at=factory.LazyFunction(timezone.now),
            error='Could not read the playlist "Road trip": Spotify answered HTTP 502.',
        )


# --- routing set-up ----------------------------------------------------------------------------


class BasePlaylistFactory(DjangoModelFactory):
    """A base playlist on one of its user's own imported playlists, with its routing claim."""

    class Meta:
        model = BasePlaylist
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    playlist = factory.SubFactory(PlaylistFactory, user=factory.SelfAttribute("..user"))
    spotify_id = factory.LazyAttribute(lambda o: o.playlist.spotify_id)
    name = factory.LazyAttribute(lambda o: o.playlist.name)

    @factory.post_generation
    def claim(self, create, extracted, **kwargs):
        if create:
            RoutedPlaylist.objects.create(user_id=self.user_id, spotify_id=self.spotify_id, base=self)


def _next_child_position(base: BasePlaylist) -> int:
    last = ChildPlaylist.objects.filter(base=base).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


class ChildPlaylistFactory(DjangoModelFactory):
    """The base's next child, taking every track (`filters=` a raw document, stored as given)."""

    class Meta:
        model = ChildPlaylist
        skip_postgeneration_save = True

    base = factory.SubFactory(BasePlaylistFactory)
    user = factory.LazyAttribute(lambda o: o.base.user)
    spotify_id = factory.Sequence(lambda n: f"child{n:019d}")
    name = factory.Sequence(lambda n: f"Child {n}")
    mode = ChildMode.REBUILD
    position = factory.LazyAttribute(lambda o: _next_child_position(o.base))
    filters = factory.LazyFunction(default_filters)

    @factory.post_generation
    def claim(self, create, extracted, **kwargs):
        if create:
            RoutedPlaylist.objects.create(user_id=self.user_id, spotify_id=self.spotify_id, child=self)


class ChildBackupFactory(DjangoModelFactory):
    """A backup of a child's rows, taken before `run` wrote to it."""

    class Meta:
        model = ChildBackup

    child = factory.SubFactory(ChildPlaylistFactory)
    user = factory.LazyAttribute(lambda o: o.child.user)
    run = factory.SubFactory(
        "tests.routing.factories.RouteRunFactory",
        user=factory.SelfAttribute("..user"),
        base=factory.SelfAttribute("..child.base"),
        completed=True,
    )
    spotify_id = factory.LazyAttribute(lambda o: o.child.spotify_id)
    name = factory.LazyAttribute(lambda o: o.child.name)
    uris = factory.LazyFunction(lambda: ["spotify:track:" + "a" * 22])
    snapshot_id = factory.Sequence(lambda n: f"backup-snapshot-{n}")
