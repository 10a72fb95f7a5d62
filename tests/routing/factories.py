"""Factories of routing's runs. (The set-up factories, BasePlaylistFactory and ChildPlaylistFactory,
are in tests/factories.py until the per-app split.)"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.runs import RunStatus
from routing.models import RouteRun, RouteRunKind
from tests.factories import BasePlaylistFactory


class RouteRunFactory(DjangoModelFactory):
    """A queued route of a base. Traits: `running`, `completed`, `failed` (with a reason);
    `kind=RouteRunKind.RESTORE` for a restore."""

    class Meta:
        model = RouteRun

    base = factory.SubFactory(BasePlaylistFactory)
    user = factory.LazyAttribute(lambda o: o.base.user if o.base is not None else None)
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
