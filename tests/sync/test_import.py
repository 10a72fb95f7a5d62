"""Importing a library from the live sandbox: the mirror equals what Spotify serves, at the fewest requests.

Exactness on the demo library (76 playlists, ~12,000 items) is checked once per app mode;
everything else uses the small `other` listener (6 playlists, ~270 items).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from library.models import LIKED_SONGS_ID, ItemKind, ItemsStatus, Playlist, PlaylistItem, PlaylistKind, Track
from sync.models import ImportScope
from core.runs import RunStatus
from sync.services.importer import run_import
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import (
    ITEMS_ROUTE,
    LEGACY_ITEMS_ROUTE,
    LIKED_ROUTE,
    LISTING_ROUTE,
    assert_mirror_matches,
    connect,
    import_library,
    item_ids,
    pages,
    requests_since,
    route_counts,
    set_mode,
    spotify_library,
)

pytestmark = pytest.mark.django_db


def followed_playlists(sandbox, spotify_user: str) -> set[str]:
    """Playlists the user follows but neither owns nor collaborates on, per the sandbox."""
    users = sandbox.control("GET", "users")["users"]
    return set(next(u for u in users if u["id"] == spotify_user)["followed_playlists"])


def test_an_import_mirrors_exactly_what_spotify_serves_in_development_mode(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox, spotify_user="demo")

    before = route_counts(sandbox)
    event = import_library(user, scope=ImportScope.FULL)
    sent = requests_since(before, sandbox)

    library = spotify_library(sandbox, spotify_user="demo")
    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, library)

    # Followed playlists: metadata kept, items refused by Development mode, and not an error.
    followed = followed_playlists(sandbox, "demo")
    assert len(followed) == 4
    refused = Playlist.objects.filter(user=user, items_status=ItemsStatus.NOT_AVAILABLE)
    assert set(refused.values_list("spotify_id", flat=True)) == followed
    assert all(p.items_total > 0 and p.track_count == 0 and p.name for p in refused)

    # Every kind of row is kept as what it is (the sandbox counts kinds over owned playlists).
    by_kind = sandbox.stats()["users"]["demo"]["items_by_kind"]
    owned = PlaylistItem.objects.filter(playlist__user=user, playlist__owner_spotify_id="demo")
    owned = owned.exclude(playlist__spotify_id=LIKED_SONGS_ID)
    for kind in (ItemKind.TRACK, ItemKind.LOCAL, ItemKind.EPISODE, ItemKind.UNAVAILABLE):
        assert owned.filter(kind=kind).count() == by_kind[kind], kind
    assert not owned.filter(kind=ItemKind.LOCAL, local_name="").exists()
    assert not owned.filter(kind=ItemKind.EPISODE, uri="").exists()

    # The fewest requests: listing pages, Liked Songs pages, one page per 50 items of each
    # readable playlist, and one (refused) request per followed playlist.
    readable = [obj for obj in library.playlists if library.items[obj["id"]] is not None]
    assert sent == {
        LISTING_ROUTE: pages(len(library.playlists), 50),
        LIKED_ROUTE: pages(len(library.liked), 50),
        ITEMS_ROUTE: sum(pages(library.total(obj["id"]), 50) for obj in readable) + len(followed),
    }
    assert event.spotify_requests == sum(sent.values())
    assert (event.playlists_total, event.playlists_done, event.playlists_changed) == (76, 76, 76)
    assert event.items_done == PlaylistItem.objects.filter(playlist__user=user).count()
    assert event.finished_at and event.started_at and event.heartbeat_at


def test_an_import_in_extended_mode_reads_followed_playlists_through_the_legacy_endpoint(sandbox, settings):
    set_mode(sandbox, settings, "extended")
    user = connect(sandbox, spotify_user="demo")

    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    library = spotify_library(sandbox, spotify_user="demo")
    assert event.status == RunStatus.SUCCEEDED, event.error
    assert_mirror_matches(user, library)
    assert not Playlist.objects.filter(user=user, items_status=ItemsStatus.NOT_AVAILABLE).exists()
    # Pages of 100 on /tracks: about half the item requests of Development mode.
    assert sent == {
        LISTING_ROUTE: pages(len(library.playlists), 50),
        LIKED_ROUTE: pages(len(library.liked), 50),
        LEGACY_ITEMS_ROUTE: sum(pages(library.total(obj["id"]), 100) for obj in library.playlists),
    }


def test_liked_songs_are_imported_as_a_pseudo_playlist_above_the_others(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)

    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    liked = Playlist.objects.get(user=user, kind=PlaylistKind.LIKED_SONGS)
    library = spotify_library(sandbox)
    assert (liked.spotify_id, liked.name, liked.list_position, liked.owner_spotify_id) == (
        LIKED_SONGS_ID,
        "Liked Songs",
        0,
        "other",
    )
    assert liked.track_count == liked.items_total == len(library.liked) == 60
    first = library.liked[0]
    assert liked.snapshot_id == f"liked:60:{first['added_at']}:{first['track']['id']}"
    assert list(liked.items.order_by("position").values_list("track_id", flat=True)) == [
        row["track"]["id"] for row in library.liked
    ]
    assert Track.objects.filter(spotify_id__in=[row["track"]["id"] for row in library.liked]).count() == 60


def test_a_reimport_with_nothing_changed_reads_only_the_listing_and_writes_no_item(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    rows_before = {p.spotify_id: item_ids(p) for p in Playlist.objects.filter(user=user)}

    before = route_counts(sandbox)
    with CaptureQueriesContext(connection) as queries:
        event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    # One listing page (6 playlists) and the first page of Liked Songs, nothing else.
    assert sent == {LISTING_ROUTE: 1, LIKED_ROUTE: 1}
    assert event.spotify_requests == 2
    item_writes = [
        q["sql"]
        for q in queries.captured_queries
        if "library_playlistitem" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "DELETE"))
    ]
    assert item_writes == []
    assert {p.spotify_id: item_ids(p) for p in Playlist.objects.filter(user=user)} == rows_before
    assert (event.playlists_total, event.playlists_done, event.playlists_changed, event.items_done) == (
        7,
        7,
        0,
        0,
    )


def test_a_reimport_after_edits_converges_and_fetches_only_the_changed_playlists(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    library = spotify_library(sandbox)
    mix, rainy, road_trip, drafts, gym, shared = (obj["id"] for obj in library.playlists)
    donor = library.items[gym]
    gym_rows = item_ids(Playlist.objects.get(user=user, spotify_id=gym))
    sandbox.mutate_playlist(mix, op="add", uris=[row["item"]["uri"] for row in donor[:3]], position=1)
    sandbox.mutate_playlist(rainy, op="remove", positions=[0, 5])
    sandbox.mutate_playlist(road_trip, op="reorder", range_start=0, insert_before=10, range_length=3)
    sandbox.mutate_playlist(shared, op="rename", name="Shared Road Trip (2026)")
    sandbox.mutate_playlist(drafts, op="delete")

    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    library = spotify_library(sandbox)
    assert_mirror_matches(user, library)
    # Deleted on Spotify: marked "not seen" by this complete listing, removed by the next.
    assert Playlist.objects.get(user=user, spotify_id=drafts).not_seen
    # Only the four changed playlists were read; the untouched one kept its very rows.
    changed = (mix, rainy, road_trip, shared)
    assert sent == {
        LISTING_ROUTE: 1,
        LIKED_ROUTE: 1,
        ITEMS_ROUTE: sum(pages(library.total(pid), 50) for pid in changed),
    }
    assert item_ids(Playlist.objects.get(user=user, spotify_id=gym)) == gym_rows
    assert (event.playlists_total, event.playlists_changed) == (6, 4)


def test_a_deleted_playlist_is_marked_by_one_import_and_leaves_with_the_next_its_tracks_staying(
    sandbox, settings
):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    drafts = Playlist.objects.get(user=user, name="Drafts")
    track_ids = set(drafts.items.exclude(track=None).values_list("track_id", flat=True))
    sandbox.mutate_playlist(drafts.spotify_id, op="delete")

    first = import_library(user)

    drafts.refresh_from_db()
    assert drafts.not_seen and drafts.items.count() == drafts.track_count > 0
    assert first.details["listing"] == {"complete": True, "not_seen": 1, "removed": 0}

    second = import_library(user)

    assert second.details["listing"] == {"complete": True, "not_seen": 0, "removed": 1}
    assert not Playlist.objects.filter(pk=drafts.pk).exists()
    assert not PlaylistItem.objects.filter(playlist_id=drafts.pk).exists()
    assert Track.objects.filter(spotify_id__in=track_ids).count() == len(track_ids)


def test_a_full_import_reads_every_playlist_even_when_nothing_changed(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    library = spotify_library(sandbox)

    before = route_counts(sandbox)
    event = import_library(user, scope=ImportScope.FULL)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert sent == {
        LISTING_ROUTE: 1,
        LIKED_ROUTE: pages(len(library.liked), 50),
        ITEMS_ROUTE: sum(pages(library.total(obj["id"]), 50) for obj in library.playlists),
    }
    assert event.playlists_changed == event.playlists_total == 7
    assert "full_scope_done" not in event.details
    assert_mirror_matches(user, library)


def test_a_second_delivery_of_the_same_task_does_nothing(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    event = SyncEventFactory(user=user)
    first = run_import(event_id=event.pk)

    before = route_counts(sandbox)
    second = run_import(event_id=event.pk)

    assert requests_since(before, sandbox) == {}
    assert second.status == RunStatus.SUCCEEDED
    assert (second.finished_at, second.spotify_requests, second.claimed_by) == (
        first.finished_at,
        first.spotify_requests,
        first.claimed_by,
    )


def test_an_import_is_claimed_by_this_worker_with_its_start_and_heartbeat(sandbox, settings):
    import os
    import socket

    set_mode(sandbox, settings, "development")
    user = connect(sandbox)

    event = import_library(user)

    assert event.claimed_by == f"{socket.gethostname()}:{os.getpid()}"
    assert event.started_at <= event.heartbeat_at <= event.finished_at


def test_an_event_that_does_not_exist_is_reported_as_none(db):
    assert run_import(event_id=987654) is None


def test_a_playlist_refused_in_development_mode_is_read_once_the_app_has_extended_access(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox, spotify_user="demo")
    import_library(user)
    assert Playlist.objects.filter(user=user, items_status=ItemsStatus.NOT_AVAILABLE).count() == 4

    set_mode(sandbox, settings, "extended")
    before = route_counts(sandbox)
    event = import_library(user)
    sent = requests_since(before, sandbox)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert not Playlist.objects.filter(user=user, items_status=ItemsStatus.NOT_AVAILABLE).exists()
    followed = Playlist.objects.filter(user=user, spotify_id__in=followed_playlists(sandbox, "demo"))
    assert all(p.track_count == p.items_total > 0 for p in followed)
    # Only those four were read, the rest are unchanged.
    assert sent == {
        LISTING_ROUTE: 2,
        LIKED_ROUTE: 1,
        LEGACY_ITEMS_ROUTE: sum(pages(p.items_total, 100) for p in followed),
    }
