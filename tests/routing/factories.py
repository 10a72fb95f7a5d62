"""Factories of routing: bases, children (each with its routing claim), backups and runs."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.runs import RunStatus
from routing.models import (
    BasePlaylist,
    ChildBackup,
    ChildMode,
    ChildPlaylist,
    RoutedPlaylist,
    RouteRun,
    RouteRunKind,
    default_filters,
)
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistFactory


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


class RouteRunFactory(DjangoModelFactory):
    """A queued route of a base. Traits: `running`, `completed`, `failed` (with a reason);
    `kind=RouteRunKind.RESTORE` for a restore."""

    class Meta:
        model = RouteRun

    base = factory.SubFactory(BasePlaylistFactory)
    user = factory.LazyAttribute(lambda o: o.base.user if o.base is not None else None)
    base_name = factory.LazyAttribute(lambda o: o.base.name if o.base is not None else "")
    kind = RouteRunKind.ROUTE
    status = RunStatus.QUEUED
    trigger = "button"

    class Params:
        running = factory.Trait(
            status=RunStatus.RUNNING,
            started_at=factory.LazyFunction(timezone.now),
            heartbeat_at=factory.LazyFunction(timezone.now),
            children_total=3,
            children_done=1,
            tracks=120,
        )
        completed = factory.Trait(
            status=RunStatus.SUCCEEDED,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=2)),
            finished_at=factory.LazyFunction(timezone.now),
            children_total=3,
            children_done=3,
            tracks=300,
        )
        failed = factory.Trait(
            status=RunStatus.FAILED,
            started_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=2)),
            finished_at=factory.LazyFunction(timezone.now),
            error='Could not read the playlist "Road trip": Spotify answered HTTP 502.',
        )
