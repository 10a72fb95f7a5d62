"""Routing set-up under concurrent requests: the base-row lock and the unique link hold (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from routing.models import BasePlaylist, ChildMode, ChildPlaylist, RoutedPlaylist
from routing.services.setup import (
    BaseAlreadyExists,
    PlaylistAlreadyRouted,
    add_child_playlist,
    create_base_playlist,
)
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory

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
    owned = [
        PlaylistFactory(user=base.user, owner_spotify_id=base.user.spotify_credential.spotify_user_id)
        for _ in range(callers)
    ]
    calls = [
        lambda n=n: add_child_playlist(
            base=base,
            spotify_id=owned[n].spotify_id,
            name=f"Child {n}",
            mode=ChildMode.REBUILD,
            filters={"match": "all", "conditions": []},
            replace_contents=True,
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


def test_one_playlist_attached_to_two_bases_and_made_a_base_at_once_gets_exactly_one_part():
    user = SpotifyCredentialFactory().user
    contested = PlaylistFactory(user=user, owner_spotify_id=user.spotify_credential.spotify_user_id)
    first, second = BasePlaylistFactory(user=user), BasePlaylistFactory(user=user)
    attach = {"spotify_id": contested.spotify_id, "name": "Contested", "mode": ChildMode.ADD_ONLY,
              "filters": {"match": "all", "conditions": []}}  # fmt: skip
    results = run_together(
        [
            lambda: add_child_playlist(base=first, **attach),
            lambda: add_child_playlist(base=second, **attach),
            lambda: create_base_playlist(user=user, playlist=contested),
        ]
    )
    winners = [r for r in results if isinstance(r, ChildPlaylist | BasePlaylist)]
    assert len(winners) == 1, results
    assert all(isinstance(r, PlaylistAlreadyRouted) for r in results if r not in winners), results
    assert RoutedPlaylist.objects.filter(user=user, spotify_id=contested.spotify_id).count() == 1
