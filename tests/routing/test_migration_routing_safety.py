"""The routing-safety migrations on data made before them, including set-ups that break the new
rules (a child that is also a base, a playlist that is the child of two bases): on SQLite and
on PostgreSQL, where a table cannot be altered in the transaction that changed its rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sync", "0003_route_event_base"), ("library", "0003_playlist_missing")]
FILTERS = {"match": "all", "conditions": []}



def test_existing_set_ups_are_claimed_and_the_ones_breaking_the_rules_detached_with_a_notice():
    old = migrate_to(BEFORE)
    User = old.get_model("accounts", "User")
    Playlist = old.get_model("library", "Playlist")
    Base = old.get_model("sync", "BasePlaylist")
    Child = old.get_model("sync", "ChildPlaylist")
    Event = old.get_model("sync", "SyncEvent")
    user = User.objects.create(username="before")
    gym, mix = (
        Playlist.objects.create(user=user, spotify_id=sid, name=name, list_position=n)
        for n, (sid, name) in enumerate([("gym00001", "Gym"), ("mix00001", "Mix")])
    )
    gym_base = Base.objects.create(user=user, playlist=gym)
    mix_base = Base.objects.create(user=user, playlist=mix)
    kept = Child.objects.create(
        base=gym_base, spotify_id="child001", name="Clean", position=0, filters=FILTERS
    )
    Child.objects.create(
        base=gym_base, spotify_id="mix00001", name="Mix as child", position=1, filters=FILTERS
    )
    Child.objects.create(
        base=mix_base, spotify_id="child001", name="Clean again", position=0, filters=FILTERS
    )
    finished = timezone.now()
    Event.objects.create(user=user, kind="route", base=gym_base, status="completed", finished_at=finished)

    migrate_to_latest()

    from routing.models import BasePlaylist, ChildPlaylist, RoutedPlaylist

    gym_now, mix_now = BasePlaylist.objects.get(pk=gym_base.pk), BasePlaylist.objects.get(pk=mix_base.pk)
    assert (gym_now.spotify_id, gym_now.name, mix_now.spotify_id) == ("gym00001", "Gym", "mix00001")
    assert list(ChildPlaylist.objects.values_list("name", flat=True)) == ["Clean"]
    assert ChildPlaylist.objects.get(pk=kept.pk).routed_at == finished
    assert "“Mix as child” was detached" in gym_now.notice
    assert "“Clean again” was detached" in mix_now.notice
    assert sorted(RoutedPlaylist.objects.values_list("spotify_id", flat=True)) == [
        "child001",
        "gym00001",
        "mix00001",
    ]
