"""routing 0008: runs made before it are named after their base, so deleting the base later
keeps the name in the audit trail."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("routing", "0007_metadata_warm_up")]


def test_runs_made_before_the_migration_take_their_base_s_name():
    old = migrate_to(BEFORE)
    User = old.get_model("accounts", "User")
    Base = old.get_model("routing", "BasePlaylist")
    Run = old.get_model("routing", "RouteRun")
    user = User.objects.create(username="listener")
    base = Base.objects.create(user=user, spotify_id="base1", name="Road trip")
    named = Run.objects.create(user=user, base=base, status="succeeded").pk
    orphan = Run.objects.create(user=user, base=None, status="failed").pk

    migrate_to_latest()

    from routing.models import BasePlaylist, RouteRun

    assert RouteRun.objects.get(pk=named).base_name == "Road trip"
    assert RouteRun.objects.get(pk=orphan).base_name == ""
    BasePlaylist.objects.filter(pk=base.pk).delete()
    assert RouteRun.objects.get(pk=named).base_label == "Road trip (base deleted)"
