"""The device library against the database: merges stored and loaded back, only changes written,
limits kept, playlist ids handed out once, changes since a time, sessions and their TTL, and the
constraints that hold even for writes that skip the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from devices import selectors
from devices.merge import merge_libraries
from devices.models import AppPlaylist as AppPlaylistRow
from devices.models import DeviceSession
from devices.models import Favorite as FavoriteRow
from devices.models import HistoryEntry as HistoryRow
from devices.models import Preferences as PreferencesRow
from devices.models import Queue as QueueRow
from devices.models import RecentSearch as SearchRow
from devices.services import (
    UnknownCollection,
    library_changes,
    load_device_library,
    merge_device_library,
    now,
    ping_session,
    prune_device_sessions,
    update_collection,
)
from devices.tasks import prune_device_sessions as prune_task
from devices.types import (
    HISTORY_LIMIT,
    SEARCH_LIMIT,
    AppPlaylistRecord,
    DeviceLibrary,
    FavoriteRecord,
    HistoryEntryRecord,
    PlaylistItemRecord,
    PreferencesRecord,
    QueueState,
    RecentSearchRecord,
    TrackRef,
)
from tests.devices.factories import DeviceSessionFactory
from tests.devices.test_merge import client_libraries
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
ALL_ROWS = (FavoriteRow, HistoryRow, QueueRow, AppPlaylistRow, PreferencesRow, SearchRow)
SONG = TrackRef("t1", title="Song", artist="Band", artwork_url="https://i.example/1.jpg", duration_ms=200_000)


def at(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


def playlist(**fields) -> AppPlaylistRecord:
    defaults = dict(
        id=None,
        local_id=None,
        name="Road trip",
        name_updated_at=at(0),
        description="",
        description_updated_at=at(0),
        is_public=False,
        is_public_updated_at=at(0),
        items=(PlaylistItemRecord(SONG, added_at=at(0)),),
        items_updated_at=at(0),
        created_at=at(0),
    )
    return AppPlaylistRecord(**{**defaults, **fields})


def phone_library() -> DeviceLibrary:
    return DeviceLibrary(
        favorites=(
            FavoriteRecord(SONG, added_at=at(1)),
            FavoriteRecord(TrackRef("spotify:track:t2"), at(2), at(3)),
        ),
        history=(
            HistoryEntryRecord(SONG, at(5), completion=0.5, source="album"),
            HistoryEntryRecord(SONG, at(9)),
        ),
        queue=QueueState(items=(SONG, TrackRef("t3")), updated_at=at(4), device="phone"),
        playlists=(playlist(local_id="phone-1"),),
        preferences=PreferencesRecord(shuffle=True, repeat="all", volume=0.4, updated_at=at(4)),
        recent_searches=(RecentSearchRecord("Abba", at(1)), RecentSearchRecord("queen", at(2))),
    )


# --- merge and load ----------------------------------------------------------------------------


def test_a_merged_library_loads_back_as_the_merge_answered_it_with_server_ids_for_new_playlists():
    user = UserFactory()

    outcome = merge_device_library(user=user, incoming=phone_library())

    stored = load_device_library(user=user)
    assert stored == outcome.library
    assert outcome.playlist_ids == {"phone-1": stored.playlists[0].id}
    assert [f.ref.track for f in stored.favorites] == ["t2", "t1"]  # ids, not URIs; newest first
    assert stored.favorites[0].removed and stored.favorites[1].ref == SONG
    assert [(e.played_at, e.completion) for e in stored.history] == [(at(9), None), (at(5), 0.5)]


def test_merging_the_stored_library_again_writes_no_row():
    user = UserFactory()
    stored = merge_device_library(user=user, incoming=phone_library()).library
    written = {model: list(model.objects.values_list("updated_at", flat=True)) for model in ALL_ROWS}

    again = merge_device_library(user=user, incoming=stored)

    assert again.library == stored and again.playlist_ids == {}
    assert {model: list(model.objects.values_list("updated_at", flat=True)) for model in ALL_ROWS} == written


def test_a_second_device_merges_into_what_the_first_stored():
    user = UserFactory()
    merge_device_library(user=user, incoming=phone_library())
    laptop = DeviceLibrary(
        favorites=(
            FavoriteRecord(SONG, added_at=at(1), removed_at=at(6)),
            FavoriteRecord(TrackRef("t4"), at(7)),
        ),
        history=(HistoryEntryRecord(SONG, at(9), completion=1.0), HistoryEntryRecord(TrackRef("t4"), at(10))),
        queue=QueueState(items=(), updated_at=at(3), device="laptop"),  # older: the phone's stays
        preferences=PreferencesRecord(shuffle=False, repeat="one", volume=0.9, updated_at=at(8)),
        recent_searches=(RecentSearchRecord("ABBA", at(8)),),
    )

    merged = merge_device_library(user=user, incoming=laptop).library

    assert load_device_library(user=user) == merged
    assert {f.ref.track: f.removed for f in merged.favorites} == {"t1": True, "t2": True, "t4": False}
    assert [(e.ref.track, e.played_at, e.completion) for e in merged.history] == [
        ("t4", at(10), None),
        ("t1", at(9), 1.0),
        ("t1", at(5), 0.5),
    ]
    assert merged.queue.device == "phone" and merged.preferences.repeat == "one"
    assert [s.query for s in merged.recent_searches] == ["ABBA", "queen"]
    assert SearchRow.objects.filter(user=user).count() == 2


def test_history_is_trimmed_to_the_newest_500_plays_in_the_database():
    user = UserFactory()
    plays = tuple(HistoryEntryRecord(TrackRef(f"t{n % 7}"), at(n)) for n in range(HISTORY_LIMIT))
    merge_device_library(user=user, incoming=DeviceLibrary(history=plays))

    newer = tuple(HistoryEntryRecord(TrackRef("new"), at(HISTORY_LIMIT + n)) for n in range(10))
    old = (HistoryEntryRecord(TrackRef("ancient"), at(-5)),)  # older than all 500: never stored
    merge_device_library(user=user, incoming=DeviceLibrary(history=newer + old))

    rows = HistoryRow.objects.filter(user=user)
    assert rows.count() == HISTORY_LIMIT
    assert min(rows.values_list("played_at", flat=True)) == at(10)
    assert not rows.filter(track="ancient").exists()


def test_recent_searches_keep_the_newest_20_once_each_ignoring_case():
    user = UserFactory()
    merge_device_library(
        user=user,
        incoming=DeviceLibrary(recent_searches=tuple(RecentSearchRecord(f"q{n}", at(n)) for n in range(25))),
    )

    shouted = tuple(RecentSearchRecord(f"Q{n}", at(100 + n)) for n in range(20, 25))
    stored = merge_device_library(user=user, incoming=DeviceLibrary(recent_searches=shouted)).library

    assert len(stored.recent_searches) == SEARCH_LIMIT
    assert [s.query for s in stored.recent_searches[:6]] == ["Q24", "Q23", "Q22", "Q21", "Q20", "q19"]
    assert sorted(SearchRow.objects.filter(user=user).values_list("query", flat=True)) == sorted(
        s.query for s in stored.recent_searches
    )


# --- playlists ---------------------------------------------------------------------------------


def test_a_playlist_sent_again_by_its_local_id_gets_the_same_id_and_no_copy():
    user = UserFactory()
    first = merge_device_library(user=user, incoming=DeviceLibrary(playlists=(playlist(local_id="p1"),)))

    renamed = playlist(local_id="p1", name="Road trip 2", name_updated_at=at(5))  # the answer was lost
    second = merge_device_library(user=user, incoming=DeviceLibrary(playlists=(renamed,)))

    assert second.playlist_ids == first.playlist_ids
    assert AppPlaylistRow.objects.filter(user=user).count() == 1
    assert second.library.playlists[0].name == "Road trip 2"


def test_playlist_fields_edited_on_two_devices_both_stay_and_a_deletion_stays_without_its_items():
    user = UserFactory()
    made = merge_device_library(user=user, incoming=DeviceLibrary(playlists=(playlist(local_id="p1"),)))
    stored = made.library.playlists[0]
    song_2 = PlaylistItemRecord(TrackRef("t2"), added_at=at(6))

    renamed = replace(stored, name="Run", name_updated_at=at(5))
    merge_device_library(user=user, incoming=DeviceLibrary(playlists=(renamed,)))
    merge_device_library(
        user=user,
        incoming=DeviceLibrary(
            playlists=(replace(stored, items=(song_2,), items_updated_at=at(6), removed_at=at(7)),)
        ),
    )
    merge_device_library(
        user=user, incoming=DeviceLibrary(playlists=(stored,))
    )  # a device that saw none of it

    (result,) = load_device_library(user=user).playlists
    assert (result.id, result.name, result.items, result.removed_at) == (stored.id, "Run", (), at(7))
    assert AppPlaylistRow.objects.get(pk=stored.id).items == []


def test_an_id_the_server_never_gave_this_user_does_not_touch_another_users_playlist():
    owner, stranger = UserFactory(), UserFactory()
    theirs = merge_device_library(user=owner, incoming=DeviceLibrary(playlists=(playlist(local_id="x"),)))
    their_id = theirs.playlist_ids["x"]

    forged = playlist(id=their_id, name="Mine now", name_updated_at=at(9))
    for _ in range(2):  # sent twice: still one playlist
        mine = merge_device_library(user=stranger, incoming=DeviceLibrary(playlists=(forged,))).library

    assert AppPlaylistRow.objects.get(pk=their_id).name == "Road trip"
    assert len(mine.playlists) == 1 and mine.playlists[0].id != their_id
    assert AppPlaylistRow.objects.filter(user=stranger).count() == 1


# --- one collection ----------------------------------------------------------------------------


def test_updating_one_collection_leaves_the_others_and_returns_the_whole_library():
    user = UserFactory()
    merge_device_library(user=user, incoming=phone_library())
    everything_new = DeviceLibrary(
        favorites=(FavoriteRecord(TrackRef("t9"), at(20)),),
        preferences=PreferencesRecord(shuffle=False, repeat="off", volume=0.0, updated_at=at(20)),
    )

    library = update_collection(user=user, collection="preferences", incoming=everything_new)

    assert library.preferences.volume == 0.0
    assert "t9" not in {f.ref.track for f in library.favorites}
    assert library == load_device_library(user=user)


def test_updating_playlists_alone_gives_new_ones_their_id():
    user = UserFactory()

    library = update_collection(
        user=user, collection="playlists", incoming=DeviceLibrary(playlists=(playlist(local_id="p1"),))
    )

    assert library.playlists[0].local_id == "p1" and library.playlists[0].id is not None


def test_an_unknown_collection_is_refused():
    with pytest.raises(UnknownCollection, match="bookmarks"):
        update_collection(user=UserFactory(), collection="bookmarks", incoming=DeviceLibrary())


# --- changes since -----------------------------------------------------------------------------


def test_changes_since_a_time_hold_only_rows_written_after_it_removals_included():
    user = UserFactory()
    merge_device_library(user=user, incoming=phone_library())
    since = now()
    removal = FavoriteRecord(SONG, added_at=at(1), removed_at=at(30))

    merge_device_library(
        user=user, incoming=DeviceLibrary(favorites=(removal,), history=(HistoryEntryRecord(SONG, at(31)),))
    )
    changes = library_changes(user=user, since=since)

    assert changes.favorites == (removal,)
    assert [e.played_at for e in changes.history] == [at(31)]
    assert changes.queue is None and changes.preferences is None and changes.playlists == ()
    assert changes.recent_searches == ()
    assert library_changes(user=user, since=since - timedelta(hours=1)) == load_device_library(user=user)


def test_changes_of_another_user_are_not_mine():
    merge_device_library(user=UserFactory(), incoming=phone_library())

    assert library_changes(user=UserFactory(), since=BASE) == DeviceLibrary()


# --- sessions ----------------------------------------------------------------------------------


def test_one_pinging_session_is_active_alone_and_a_second_device_makes_them_multiple():
    user = UserFactory()

    alone = ping_session(user=user, session_id="s-phone", device="Phone")
    both = ping_session(user=user, session_id="s-laptop", device="Laptop")

    assert not alone.multiple_sessions and [s.device for s in alone.active_sessions] == ["Phone"]
    assert both.multiple_sessions
    assert [(s.device, s.current) for s in both.active_sessions] == [("Laptop", True), ("Phone", False)]


def test_a_session_silent_for_over_five_minutes_is_not_active_and_a_ping_revives_it():
    user = UserFactory()
    DeviceSessionFactory(user=user, session_id="old", last_seen=timezone.now() - timedelta(minutes=6))
    DeviceSessionFactory(user=UserFactory(), session_id="other-user")

    summary = ping_session(user=user, session_id="new", device="Phone")
    assert [s.session_id for s in summary.active_sessions] == ["new"] and not summary.multiple_sessions

    revived = ping_session(user=user, session_id="old", device="Tablet")
    assert revived.multiple_sessions and revived.active_sessions[0].device == "Tablet"
    assert user.device_sessions.count() == 2


def test_pruning_removes_only_expired_sessions_and_the_task_says_how_many():
    DeviceSessionFactory(last_seen=timezone.now() - timedelta(minutes=6))
    fresh = DeviceSessionFactory(last_seen=timezone.now() - timedelta(minutes=4))
    DeviceSessionFactory(last_seen=timezone.now() - timedelta(days=2))

    assert prune_device_sessions() == 2
    assert list(DeviceSession.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert prune_task() == "0 expired device session(s) removed"


# --- selectors and constraints -----------------------------------------------------------------


def test_the_page_counts_leave_out_removed_favorites_and_deleted_playlists(django_assert_max_num_queries):
    user = UserFactory()
    merge_device_library(user=user, incoming=phone_library())
    merge_device_library(
        user=user, incoming=DeviceLibrary(playlists=(playlist(local_id="gone", removed_at=at(1)),))
    )
    ping_session(user=user, session_id="s1", device="Phone")

    with django_assert_max_num_queries(6):
        counts = selectors.get_device_library_counts(user=user)

    assert counts == selectors.DeviceLibraryCounts(
        favorites=1, history=2, queue=2, playlists=1, recent_searches=2, active_sessions=1
    )


def test_the_database_refuses_what_the_merge_never_writes():
    user = UserFactory()
    fields = dict(user=user, name="A", created_at=BASE, name_updated_at=BASE, description_updated_at=BASE,
                  is_public_updated_at=BASE, items_updated_at=BASE)  # fmt: skip
    SearchRow.objects.create(user=user, query="Abba", query_key="abba", searched_at=BASE)
    AppPlaylistRow.objects.create(local_id="p1", **fields)
    AppPlaylistRow.objects.create(local_id=None, **fields)
    AppPlaylistRow.objects.create(local_id=None, **fields)  # many without a local id are fine
    refused = [
        lambda: SearchRow.objects.create(user=user, query="ABBA", query_key="abba", searched_at=BASE),
        lambda: AppPlaylistRow.objects.create(local_id="p1", **fields),
        lambda: PreferencesRow.objects.create(user=user, volume=1.5, changed_at=BASE),
        lambda: PreferencesRow.objects.create(user=user, repeat="two", changed_at=BASE),
        lambda: FavoriteRow.objects.bulk_create([FavoriteRow(user=user, track="t1", added_at=BASE)] * 2),
        lambda: HistoryRow.objects.create(user=user, track="t1", played_at=BASE, completion=2),
    ]
    for write in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            write()


def test_a_merge_costs_a_bounded_number_of_queries_whatever_the_library_size(django_assert_max_num_queries):
    user = UserFactory()
    big = DeviceLibrary(
        favorites=tuple(FavoriteRecord(TrackRef(f"f{n}", title="Song"), at(n)) for n in range(300)),
        history=tuple(
            HistoryEntryRecord(TrackRef(f"h{n % 40}"), at(n), completion=1.0) for n in range(HISTORY_LIMIT)
        ),
        queue=QueueState(items=tuple(TrackRef(f"q{n}") for n in range(100)), updated_at=at(1)),
        playlists=tuple(playlist(local_id=f"p{n}") for n in range(30)),
        preferences=PreferencesRecord(shuffle=True, repeat="all", volume=0.5, updated_at=at(1)),
        recent_searches=tuple(RecentSearchRecord(f"q{n}", at(n)) for n in range(SEARCH_LIMIT)),
    )

    # 15 on PostgreSQL: a savepoint, the lock, a read and a write per collection. SQLite splits a
    # bulk statement into batches of ~100 rows (its variable limit), so 500 plays are 6 there.
    with django_assert_max_num_queries(24):
        merge_device_library(user=user, incoming=big)
    with django_assert_max_num_queries(24):
        merge_device_library(user=user, incoming=replace(big, history=(), favorites=()))


def local_only(library: DeviceLibrary) -> DeviceLibrary:
    """Its playlists the device made (the generated server ids are not this database's)."""
    return replace(library, playlists=tuple(p for p in library.playlists if p.id is None))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=client_libraries, second=client_libraries)
def test_what_the_database_stores_is_what_the_pure_merge_answers(first, second):
    user = UserFactory()  # a fresh listener per example: the examples share one test transaction
    stored = merge_device_library(user=user, incoming=local_only(first)).library

    outcome = merge_device_library(user=user, incoming=local_only(second))

    assert load_device_library(user=user) == outcome.library
    given_ids = {p.id for p in stored.playlists}
    expected = merge_libraries(stored, local_only(second))
    assert replace(outcome.library, playlists=tuple(
        p if p.id in given_ids else replace(p, id=None) for p in outcome.library.playlists
    )) == expected  # fmt: skip


def test_searches_that_only_case_folding_tells_apart_are_one_search_and_store_without_error():
    # Python's lower() and the database's LOWER() disagree on these (final sigma, sharp s);
    # the merge and the unique key both use casefold, so they agree with each other.
    user = UserFactory()
    merge_device_library(
        user=user,
        incoming=DeviceLibrary(
            recent_searches=(RecentSearchRecord("ΑΣ", at(1)), RecentSearchRecord("Straße", at(2)))
        ),
    )
    merge_device_library(
        user=user,
        incoming=DeviceLibrary(
            recent_searches=(RecentSearchRecord("ας", at(3)), RecentSearchRecord("STRASSE", at(4)))
        ),
    )

    searches = load_device_library(user=user).recent_searches
    assert [search.query for search in searches] == ["STRASSE", "ας"]
