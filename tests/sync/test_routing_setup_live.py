"""Routing set-up under concurrent requests: the base-row lock and the unique link hold (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from sync.models import BasePlaylist, ChildMode, ChildPlaylist
from sync.services.routing_setup import BaseAlreadyExists, add_child_playlist, create_base_playlist
from tests.factories import BasePlaylistFactory, PlaylistFactory, SpotifyCredentialFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(calls: list[Callable[[], object]]) -> list[object]:
    """Start every call at once on its own thread; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except Exception as exc:  # collected and asserted by the test
            results.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("callers", [2, 12])
def test_children_added_at_once_get_distinct_consecutive_positions(callers):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    calls = [
        lambda n=n: add_child_playlist(
            base=base,
            spotify_id=f"child{n}",
            name=f"Child {n}",
            mode=ChildMode.REBUILD,
            filters={"match": "all", "conditions": []},
        )
        for n in range(callers)
    ]
    results = run_together(calls)
    assert [r for r in results if isinstance(r, BaseException)] == []
    positions = sorted(ChildPlaylist.objects.filter(base=base).values_list("position", flat=True))
    assert positions == list(range(callers))


def test_a_playlist_made_a_base_twice_at_once_becomes_one_base():
    user = SpotifyCredentialFactory().user
    playlist = PlaylistFactory(user=user)
    results = run_together([lambda: create_base_playlist(user=user, playlist=playlist)] * 4)
    assert sum(isinstance(r, BasePlaylist) for r in results) == 1
    assert sum(isinstance(r, BaseAlreadyExists) for r in results) == 3
    assert BasePlaylist.objects.filter(playlist=playlist).count() == 1
