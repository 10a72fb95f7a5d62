"""The device-merge rules (devices.merge), as properties over generated libraries and as the
examples issue 7 names. No database: the rules are pure functions.

Generated values come from small pools (a few tracks, times a minute apart) so sides collide,
times tie and case variants of one search meet, which is where merge rules go wrong. The
properties run with small limits patched in, so trimming happens in most examples.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from devices import merge
from devices.merge import (
    merge_favorites,
    merge_history,
    merge_libraries,
    merge_playlists,
    merge_preferences,
    merge_queue,
    merge_searches,
)
from devices.types import (
    HISTORY_LIMIT,
    MARKER_LIMIT,
    REPEAT_MODES,
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

BASE = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
SMALL_HISTORY, SMALL_SEARCHES, SMALL_MARKERS = 6, 4, 2


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


@contextmanager
def small_limits(*, markers: int = MARKER_LIMIT):
    """The history and search limits small; `markers` the number of removal markers kept. Small
    only in the properties of the cap itself: once a marker is dropped, a device still holding the
    item brings it back (the trade-off types.MARKER_LIMIT accepts), so merging that device's
    library again, or in another order, is no longer the same."""
    with (
        mock.patch.object(merge, "HISTORY_LIMIT", SMALL_HISTORY),
        mock.patch.object(merge, "SEARCH_LIMIT", SMALL_SEARCHES),
        mock.patch.object(merge, "MARKER_LIMIT", markers),
    ):
        yield


# --- strategies --------------------------------------------------------------------------------

times = st.integers(0, 12).map(at)
track_ids = st.sampled_from(["t1", "t2", "t3", "t4", "spotify:track:t1", "spotify:track:t2"])
refs = st.builds(
    TrackRef,
    track=track_ids,
    title=st.sampled_from(["", "Song", "Other"]),
    artist=st.sampled_from(["", "Band"]),
    duration_ms=st.none() | st.sampled_from([1000, 2000]),
)
favorites = st.builds(FavoriteRecord, ref=refs, added_at=times, removed_at=st.none() | times)
history_entries = st.builds(
    HistoryEntryRecord,
    ref=refs,
    played_at=times,
    completion=st.none() | st.sampled_from([0.0, 0.5, 1.0]),
    source=st.sampled_from(["", "album", "search"]),
)
searches = st.builds(
    RecentSearchRecord, query=st.text(alphabet="abAB", min_size=1, max_size=3), searched_at=times
)
queues = st.builds(
    QueueState,
    items=st.lists(refs, max_size=3).map(tuple),
    updated_at=times,
    device=st.sampled_from(["phone", "laptop"]),
)
preferences = st.builds(
    PreferencesRecord,
    shuffle=st.booleans(),
    repeat=st.sampled_from(REPEAT_MODES),
    volume=st.sampled_from([0.0, 0.5, 1.0]),
    updated_at=times,
)


@st.composite
def playlists(draw, *, ids, local_ids) -> AppPlaylistRecord:
    items = draw(st.lists(st.builds(PlaylistItemRecord, ref=refs, added_at=times), max_size=2).map(tuple))
    return AppPlaylistRecord(
        id=draw(ids),
        local_id=draw(local_ids),
        name=draw(st.sampled_from(["Road", "Run", "Sleep"])),
        name_updated_at=draw(times),
        description=draw(st.sampled_from(["", "mine"])),
        description_updated_at=draw(times),
        is_public=draw(st.booleans()),
        is_public_updated_at=draw(times),
        items=items,
        items_updated_at=draw(times),
        created_at=draw(times),
        removed_at=draw(st.none() | times),
    )


def _names_unique(side: list[AppPlaylistRecord]) -> bool:
    for name in ("id", "local_id"):
        given_names = [getattr(p, name) for p in side if getattr(p, name) is not None]
        if len(given_names) != len(set(given_names)):
            return False
    return True


def playlist_lists(*, ids):
    """Each playlist named by an id or a local id (the API refuses one with neither: it could never
    be found again), unique within one side, as the server's table and a sane client keep them."""
    local_ids = st.none() | st.sampled_from(["a", "b", "c", "d"])
    named = playlists(ids=ids, local_ids=local_ids).filter(
        lambda p: p.id is not None or p.local_id is not None
    )
    return st.lists(named, max_size=4).filter(_names_unique)


def libraries(*, playlist_ids):
    return st.builds(
        DeviceLibrary,
        favorites=st.lists(favorites, max_size=6).map(tuple),
        history=st.lists(history_entries, max_size=10).map(tuple),
        queue=st.none() | queues,
        playlists=playlist_lists(ids=playlist_ids).map(tuple),
        preferences=st.none() | preferences,
        recent_searches=st.lists(searches, max_size=8).map(tuple),
    )


server_libraries = libraries(playlist_ids=st.integers(1, 5))  # the server names every playlist
client_libraries = libraries(playlist_ids=st.none() | st.integers(1, 6))  # 6: an id the server never gave


def key(track: str) -> str:
    return track.removeprefix("spotify:track:")


# --- properties --------------------------------------------------------------------------------


@given(server=server_libraries, client=client_libraries)
def test_merging_the_same_client_library_twice_changes_nothing_the_second_time(server, client):
    with small_limits():
        once = merge_libraries(server, client)
        assert merge_libraries(once, client) == once
        assert merge_libraries(once, once) == once


@given(server=server_libraries, first=client_libraries, second=client_libraries)
def test_two_devices_merged_in_either_order_give_the_same_favorites_history_searches_queue_and_preferences(
    server, first, second
):
    with small_limits():
        one_way = merge_libraries(merge_libraries(server, first), second)
        other_way = merge_libraries(merge_libraries(server, second), first)
    assert one_way.favorites == other_way.favorites
    assert one_way.history == other_way.history
    assert one_way.recent_searches == other_way.recent_searches
    assert one_way.queue == other_way.queue
    assert one_way.preferences == other_way.preferences


@given(server=st.lists(favorites, max_size=6), client=st.lists(favorites, max_size=6))
def test_no_favorite_is_lost_and_only_a_newer_removal_removes_one(server, client):
    merged = {favorite.ref.track: favorite for favorite in merge_favorites(server, client)}

    both = server + client
    assert set(merged) == {key(favorite.ref.track) for favorite in both}  # markers included
    for track, favorite in merged.items():
        sides = [f for f in both if key(f.ref.track) == track]
        newest_addition = max(f.added_at for f in sides)
        removals = [f.removed_at for f in sides if f.removed_at is not None]
        assert favorite.added_at == newest_addition
        assert favorite.removed == bool(removals and max(removals) >= newest_addition)


@given(server=st.lists(history_entries, max_size=12), client=st.lists(history_entries, max_size=12))
def test_history_keeps_every_play_but_those_past_the_limit_newest_first(server, client):
    with small_limits():
        merged = merge_history(server, client)

    plays = {(key(e.ref.track), e.played_at) for e in server + client}
    newest = sorted(plays, key=lambda play: (-play[1].timestamp(), play[0]))[:SMALL_HISTORY]
    assert [(e.ref.track, e.played_at) for e in merged] == newest


@given(server=st.lists(searches, max_size=10), client=st.lists(searches, max_size=10))
def test_searches_are_unique_ignoring_case_newest_first_and_within_the_limit(server, client):
    with small_limits():
        merged = merge_searches(server, client)

    newest_by_query: dict[str, datetime] = {}
    for search in server + client:
        folded = search.query.lower()
        newest_by_query[folded] = max(search.searched_at, newest_by_query.get(folded, search.searched_at))
    expected = sorted(newest_by_query.items(), key=lambda item: (-item[1].timestamp(), item[0]))
    assert [(s.query.lower(), s.searched_at) for s in merged] == expected[:SMALL_SEARCHES]


@given(server=playlist_lists(ids=st.integers(1, 5)), client=playlist_lists(ids=st.none() | st.integers(1, 6)))
def test_no_playlist_is_lost_and_a_deletion_on_either_side_stays(server, client):
    merged, new = merge_playlists(server, client)

    server_ids = {p.id for p in server}
    server_local_ids = {p.local_id for p in server} - {None}
    assert server_ids <= {p.id for p in merged}
    for playlist in client:
        # Its own id first (when the merge kept it), else its local id.
        match = next((m for m in merged if playlist.id is not None and m.id == playlist.id), None) or next(
            (m for m in merged if playlist.local_id is not None and m.local_id == playlist.local_id), None
        )
        assert match is not None, f"{playlist} was lost"
        if playlist.removed_at is not None:
            assert match.removed_at is not None and match.removed_at >= playlist.removed_at
            assert match.items == ()
    assert new <= {p.local_id for p in client} - server_local_ids
    local_ids = [p.local_id for p in merged if p.local_id is not None]
    assert len(local_ids) == len(set(local_ids))


def test_the_real_limits_hold_500_plays_and_20_searches():
    plays = [HistoryEntryRecord(ref=TrackRef("t1"), played_at=at(-minute)) for minute in range(600)]
    typed = [RecentSearchRecord(query=f"Query {n}", searched_at=at(n)) for n in range(30)]
    shouted = [RecentSearchRecord(query=f"QUERY {n}", searched_at=at(n - 100)) for n in range(30)]

    history = merge_history(plays[:300], plays[300:])
    recent = merge_searches(typed, shouted)

    assert (
        len(history) == HISTORY_LIMIT and history[0].played_at == at(0) and history[-1].played_at == at(-499)
    )
    assert [s.query for s in recent] == [f"Query {n}" for n in range(29, 29 - SEARCH_LIMIT, -1)]


# --- the examples ------------------------------------------------------------------------------


def test_a_favorite_removed_on_one_device_does_not_come_back_when_another_still_holding_it_merges():
    song = TrackRef("t1", title="Song")
    server = DeviceLibrary(favorites=(FavoriteRecord(song, added_at=at(0)),))
    after_device_1 = merge_libraries(
        server, DeviceLibrary(favorites=(FavoriteRecord(song, at(0), removed_at=at(5)),))
    )

    after_device_2 = merge_libraries(
        after_device_1, DeviceLibrary(favorites=(FavoriteRecord(song, added_at=at(0)),))
    )

    assert after_device_2.favorites == (FavoriteRecord(song, added_at=at(0), removed_at=at(5)),)
    assert after_device_2.favorites[0].removed


def test_a_favorite_added_again_after_its_removal_is_back():
    song = TrackRef("t1")
    removed = (FavoriteRecord(song, added_at=at(0), removed_at=at(5)),)

    merged = merge_favorites(removed, [FavoriteRecord(song, added_at=at(9))])

    assert not merged[0].removed


def test_a_removal_at_the_same_instant_as_the_addition_wins():
    merged = merge_favorites(
        [FavoriteRecord(TrackRef("t1"), added_at=at(3))], [FavoriteRecord(TrackRef("t1"), at(0), at(3))]
    )

    assert merged[0].removed


def test_spotify_uris_and_ids_of_one_track_are_one_favorite_newest_added_first():
    merged = merge_favorites(
        [FavoriteRecord(TrackRef("spotify:track:t1"), at(1)), FavoriteRecord(TrackRef("t2"), at(1))],
        [FavoriteRecord(TrackRef("t1", title="Song"), at(2)), FavoriteRecord(TrackRef("t3"), at(1))],
    )

    assert [(f.ref.track, f.ref.title, f.added_at) for f in merged] == [
        ("t1", "Song", at(2)),
        ("t2", "", at(1)),
        ("t3", "", at(1)),
    ]


def test_repeat_plays_of_one_song_at_different_times_are_all_kept():
    song = TrackRef("t1")
    phone = [HistoryEntryRecord(song, at(0)), HistoryEntryRecord(song, at(4))]
    laptop = [HistoryEntryRecord(song, at(4), completion=1.0), HistoryEntryRecord(song, at(8))]

    merged = merge_history(phone, laptop)

    assert [(e.played_at, e.completion) for e in merged] == [(at(8), None), (at(4), 1.0), (at(0), None)]


def test_the_more_recently_updated_queue_and_preferences_win_whole():
    older_queue = QueueState(items=(TrackRef("t1"), TrackRef("t2")), updated_at=at(1), device="phone")
    newer_queue = QueueState(items=(TrackRef("t3"),), updated_at=at(2), device="laptop")
    older_prefs = PreferencesRecord(shuffle=True, repeat="all", volume=0.2, updated_at=at(1))
    newer_prefs = PreferencesRecord(shuffle=False, repeat="one", volume=0.9, updated_at=at(2))

    assert merge_queue(older_queue, newer_queue) == merge_queue(newer_queue, older_queue) == newer_queue
    assert (
        merge_preferences(newer_prefs, older_prefs)
        == merge_preferences(older_prefs, newer_prefs)
        == newer_prefs
    )
    assert merge_queue(None, older_queue) == older_queue and merge_preferences(None, None) is None


def test_equal_times_pick_the_same_queue_and_preferences_whichever_side_they_are_on():
    phone = QueueState(items=(TrackRef("t1"),), updated_at=at(1), device="phone")
    laptop = QueueState(items=(TrackRef("t2"),), updated_at=at(1), device="laptop")
    loud = PreferencesRecord(shuffle=False, repeat="off", volume=1.0, updated_at=at(1))
    quiet = replace(loud, volume=0.1)

    assert merge_queue(phone, laptop) == merge_queue(laptop, phone) == phone  # "phone" > "laptop"
    assert merge_preferences(loud, quiet) == merge_preferences(quiet, loud) == loud


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
        items=(),
        items_updated_at=at(0),
        created_at=at(0),
    )
    return AppPlaylistRecord(**{**defaults, **fields})


def test_playlist_fields_edited_on_two_devices_each_keep_their_newest_edit():
    stored = playlist(id=7, local_id="phone-1")
    renamed = replace(stored, name="Road trip 2025", name_updated_at=at(5))  # edited on the phone
    song = PlaylistItemRecord(TrackRef("t1"), added_at=at(6))
    filled = replace(
        stored, items=(song,), items_updated_at=at(6), is_public=True, is_public_updated_at=at(6)
    )

    merged, new = merge_playlists(merge_playlists([stored], [renamed])[0], [filled])

    both_edits = dict(name="Road trip 2025", name_updated_at=at(5), items=(song,), items_updated_at=at(6))
    assert merged == (replace(stored, **both_edits, is_public=True, is_public_updated_at=at(6)),)
    assert new == frozenset()


def test_a_playlist_made_offline_is_new_and_found_again_by_its_local_id_when_sent_twice():
    made_offline = playlist(local_id="laptop-1", name="Focus")

    merged, new = merge_playlists([playlist(id=1, local_id="phone-1")], [made_offline])
    assert new == {"laptop-1"}
    stored = tuple(replace(p, id=p.id or 2) for p in merged)  # the service gives it id 2

    again, new_again = merge_playlists(stored, [made_offline])
    assert again == stored and new_again == frozenset()


def test_a_deleted_playlist_stays_deleted_even_after_a_later_edit_elsewhere():
    stored = playlist(id=3)
    deleted = replace(stored, removed_at=at(4))
    edited_later = replace(stored, name="Renamed", name_updated_at=at(9))

    merged, _ = merge_playlists(merge_playlists([stored], [deleted])[0], [edited_later])

    assert merged[0].removed_at == at(4) and merged[0].name == "Renamed"


def test_a_client_pairing_a_known_id_with_another_playlists_local_id_does_not_duplicate_the_local_id():
    server = [playlist(id=1), playlist(id=2, local_id="a")]

    merged, new = merge_playlists(server, [playlist(id=1, local_id="a", name="X", name_updated_at=at(1))])

    assert [(p.id, p.local_id, p.name) for p in merged] == [(1, None, "X"), (2, "a", "Road trip")]
    assert new == frozenset()


@settings(max_examples=25)
@given(server=server_libraries)
def test_merging_with_an_empty_device_keeps_the_server_library_as_it_is_in_merge_order(server):
    with small_limits():
        normal = merge_libraries(server, DeviceLibrary())
        assert merge_libraries(DeviceLibrary(), normal) == normal


def test_removal_markers_past_the_limit_are_dropped_oldest_first_and_live_favorites_never():
    def favorite(n: int, *, removed: bool) -> FavoriteRecord:
        removed_at = at(n + 1) if removed else None
        return FavoriteRecord(TrackRef(f"{n:022d}"), added_at=at(n), removed_at=removed_at)

    markers = [favorite(n, removed=True) for n in range(MARKER_LIMIT + 5)]
    live = [favorite(10_000 + n, removed=False) for n in range(3)]

    merged = merge_favorites(markers, live)

    kept = {f.ref.track for f in merged if f.removed}
    assert len(kept) == MARKER_LIMIT and f"{0:022d}" not in kept and f"{MARKER_LIMIT + 4:022d}" in kept
    assert {f.ref.track for f in merged if not f.removed} == {f.ref.track for f in live}


@given(server=playlist_lists(ids=st.integers(1, 5)), client=playlist_lists(ids=st.none() | st.integers(1, 6)))
def test_only_the_newest_deleted_playlists_are_kept_without_items_and_no_live_one_is_dropped(server, client):
    everything, _ = merge_playlists(server, client)  # the real limit: nothing dropped here
    with small_limits(markers=SMALL_MARKERS):
        merged, new = merge_playlists(server, client)

    deleted = [p for p in everything if p.removed_at is not None]
    newest = sorted(deleted, key=lambda p: (-p.removed_at.timestamp(), merge._playlist_order(p)))
    assert merged == tuple(p for p in everything if p.removed_at is None or p in newest[:SMALL_MARKERS])
    assert all(p.items == () for p in merged if p.removed_at is not None)
    assert new <= {p.local_id for p in merged}


@given(server=st.lists(favorites, max_size=6), client=st.lists(favorites, max_size=6))
def test_only_the_newest_removed_favorites_are_kept_and_no_live_one_is_dropped(server, client):
    everything = merge_favorites(server, client)
    with small_limits(markers=SMALL_MARKERS):
        merged = merge_favorites(server, client)

    removed = sorted(
        (f for f in everything if f.removed), key=lambda f: (-f.removed_at.timestamp(), f.ref.track)
    )
    assert merged == tuple(f for f in everything if not f.removed or f in removed[:SMALL_MARKERS])


@given(server=server_libraries, client=client_libraries)
def test_a_merged_library_sent_back_as_it_is_changes_nothing_whatever_the_marker_limit(server, client):
    # What a device does after a sync: it keeps the answer and sends it next time.
    with small_limits(markers=SMALL_MARKERS):
        answer = merge_libraries(server, client)
        assert merge_libraries(answer, answer) == answer
        assert sum(1 for p in answer.playlists if p.removed_at is not None) <= SMALL_MARKERS
        assert sum(1 for f in answer.favorites if f.removed) <= SMALL_MARKERS


def deleted_playlists(first: int, count: int) -> list[AppPlaylistRecord]:
    song = PlaylistItemRecord(TrackRef("t1"), at(0))
    return [playlist(local_id=f"p{n}", items=(song,), removed_at=at(n)) for n in range(first, first + count)]


def test_two_merges_of_a_thousand_deleted_playlists_keep_the_newest_thousand_each_emptied():
    once, _ = merge_playlists([], deleted_playlists(0, 1_000))
    twice, new = merge_playlists(once, deleted_playlists(1_000, 1_000))

    assert len(twice) == MARKER_LIMIT == 1_000
    assert {p.local_id for p in twice} == {f"p{n}" for n in range(1_000, 2_000)} == new
    assert all(p.items == () for p in twice)
    # The merged library goes back as it is: nothing more to keep, nothing changes.
    assert merge_playlists(twice, twice) == (twice, frozenset())


def test_a_deletion_seen_again_later_keeps_the_later_time():
    stored = playlist(id=3, removed_at=at(4))

    merged, _ = merge_playlists([stored], [replace(stored, removed_at=at(9))])

    assert merged[0].removed_at == at(9)
