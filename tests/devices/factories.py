"""Factories for the devices app."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from devices.models import DeviceSession
from tests.accounts.factories import UserFactory


class DeviceSessionFactory(DjangoModelFactory):
    """A client session that pinged just now (`last_seen=` an older time for a silent one)."""

    class Meta:
        model = DeviceSession

    user = factory.SubFactory(UserFactory)
    session_id = factory.Sequence(lambda n: f"session-{n:04d}")
    device = factory.Sequence(lambda n: f"Device {n}")
    last_seen = factory.LazyFunction(timezone.now)
