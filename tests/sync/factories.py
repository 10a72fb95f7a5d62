"""Factories of sync: import runs."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.runs import RunStatus
from sync.models import ImportScope, SyncEvent, SyncKind
from tests.accounts.factories import UserFactory


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
