"""Writes to the mirror: catalog upserts that never lose what fuller objects told us, and playlist replacement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from library.models import (
    Album,
    Artist,
    ItemKind,
    ItemsStatus,
    Playlist,
    PlaylistItem,
    PlaylistKind,
    Track,
    TrackArtist,
)
from library.records import AlbumRecord, ArtistRecord, ItemRecord, PlaylistRecord, TrackRecord
from library.services import (
    forget_removed_rows,
    reconcile_listed_playlists,
    save_playlist_metadata,
    store_playlist,
    upsert_catalog,
)
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory

pytestmark = pytest.mark.django_db

ADDED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def catalog_for(*track_ids: str) -> dict:
    """Records for tracks credited to artists "a1" (main) and "a2", all on album "al1"."""
    return {
        "artists": [ArtistRecord("a1", "First"), ArtistRecord("a2", "Second")],
        "albums": [
            AlbumRecord(
                "al1", "Album", album_type="album", release_date="1987-06", release_date_precision="month"
            )
        ],
        "tracks": [
            TrackRecord(tid, f"Song {tid}", album_id="al1", artist_ids=("a1", "a2")) for tid in track_ids
        ],
    }


def test_upsert_catalog_creates_tracks_albums_artists_and_credits_in_spotify_order():
    upsert_catalog(**catalog_for("t1", "t2"))

    track = Track.objects.get(spotify_id="t1")
    assert track.album.name == "Album" and track.album.release_year == 1987
    assert list(track.credits.values_list("artist_id", "position")) == [("a1", 0), ("a2", 1)]
    assert Track.objects.count() == 2 and TrackArtist.objects.count() == 4


def test_simplified_artists_do_not_erase_known_genres_or_popularity():
    ArtistFactory(spotify_id="a1", name="Old name", genres=["shoegaze"], popularity=71)

    upsert_catalog(artists=[ArtistRecord("a1", "New name")])

    artist = Artist.objects.get(spotify_id="a1")
    assert (artist.name, artist.genres, artist.popularity) == ("New name", ["shoegaze"], 71)


def test_full_artists_do_refresh_genres_and_popularity():
    ArtistFactory(spotify_id="a1", genres=["shoegaze"], popularity=71)

    upsert_catalog(artists=[ArtistRecord("a1", "Name", genres=("dream pop",), popularity=40)])

    artist = Artist.objects.get(spotify_id="a1")
    assert (artist.genres, artist.popularity) == (["dream pop"], 40)
    assert artist.genres_fetched_at is not None


def test_full_and_simplified_artists_are_written_in_id_order_so_two_writers_cannot_deadlock():
    # A listening ingest meets full artists (genres known) and simplified ones (no genres) in one
    # call; an import meets simplified ones only. Written group by group, the ingest took a4
    # before a1 while an import took a1 before a4: PostgreSQL found them deadlocked.
    ArtistFactory(spotify_id="a3", genres=["shoegaze"])
    mixed = [
        ArtistRecord("a4", "Four", genres=("dream pop",)),
        ArtistRecord("a1", "One"),
        ArtistRecord("a2", "Two", genres=()),
        ArtistRecord("a3", "Three"),
    ]

    with CaptureQueriesContext(connection) as queries:
        upsert_catalog(artists=mixed)

    written = [
        spotify_id
        for query in queries.captured_queries
        if query["sql"].startswith('INSERT INTO "library_artist"')
        for spotify_id in ("a1", "a2", "a3", "a4")
        if f"'{spotify_id}'" in query["sql"]
    ]
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "library_artist"')]
    # One id per statement here, so the statements' order is the rows' order.
    assert len(inserts) == 4 and written == ["a1", "a2", "a3", "a4"]
    # And each still refreshes only what its record knew.
    genres = dict(Artist.objects.values_list("spotify_id", "genres"))
    assert genres == {"a1": [], "a2": [], "a3": ["shoegaze"], "a4": ["dream pop"]}


def test_development_mode_objects_do_not_erase_a_known_popularity_or_label():
    upsert_catalog(
        albums=[AlbumRecord("al1", "Album", label="4AD", popularity=55)],
        tracks=[TrackRecord("t1", "Song", album_id="al1", popularity=63)],
    )

    upsert_catalog(
        albums=[AlbumRecord("al1", "Album (Remaster)")],
        tracks=[TrackRecord("t1", "Song (Remaster)", album_id="al1")],
    )

    album, track = Album.objects.get(), Track.objects.get()
    assert (album.name, album.label, album.popularity) == ("Album (Remaster)", "4AD", 55)
    assert (track.name, track.popularity) == ("Song (Remaster)", 63)


def test_the_same_track_twice_in_one_batch_is_one_row_and_known_credits_are_kept():
    upsert_catalog(**catalog_for("t1"))
    catalog = catalog_for("t1", "t1")

    upsert_catalog(**catalog)

    assert Track.objects.count() == 1
    assert TrackArtist.objects.filter(track_id="t1").count() == 2


def test_a_release_year_of_zero_is_no_year():
    upsert_catalog(albums=[AlbumRecord("al1", "Old", release_date="0000", release_date_precision="year")])

    assert Album.objects.get().release_year is None


def items_of(playlist: Playlist) -> list[tuple]:
    return list(playlist.items.order_by("position").values_list("position", "kind", "track_id", "local_name"))


def test_store_playlist_replaces_every_item_and_sets_both_counts():
    user = UserFactory()
    upsert_catalog(**catalog_for("t1", "t2"))
    old = PlaylistFactory(user=user, spotify_id="p1", snapshot_id="old", items_total=3, track_count=3)
    PlaylistItemFactory.create_batch(3, playlist=old)
    record = PlaylistRecord(
        "p1", "Renamed", public=None, collaborative=True, snapshot_id="new", items_total=4
    )
    items = [
        ItemRecord(0, ItemKind.TRACK, track_id="t2", added_at=ADDED, added_by="someone"),
        ItemRecord(
            1, ItemKind.LOCAL, name="Demo tape", local_name="Demo tape", uri="spotify:local:a:b:Demo+tape:60"
        ),
        ItemRecord(2, ItemKind.UNAVAILABLE),
        ItemRecord(3, ItemKind.EPISODE, name="Ep. 1", uri="spotify:episode:e1"),
    ]

    playlist = store_playlist(user=user, playlist=record, items=items)

    playlist = Playlist.objects.get(pk=playlist.pk)
    assert playlist.pk == old.pk
    assert (playlist.name, playlist.public, playlist.collaborative, playlist.snapshot_id) == (
        "Renamed",
        None,
        True,
        "new",
    )
    assert playlist.track_count == playlist.items_total == 4
    assert playlist.items_status == ItemsStatus.AVAILABLE and playlist.items_imported_at is not None
    assert items_of(playlist) == [
        (0, ItemKind.TRACK, "t2", ""),
        (1, ItemKind.LOCAL, None, "Demo tape"),
        (2, ItemKind.UNAVAILABLE, None, ""),
        (3, ItemKind.EPISODE, None, ""),
    ]
    assert playlist.items.get(position=0).added_at == ADDED


def test_store_playlist_without_items_keeps_the_metadata_and_says_they_are_not_available():
    user = UserFactory()
    old = PlaylistFactory(user=user, spotify_id="p1")
    PlaylistItemFactory.create_batch(2, playlist=old)

    store_playlist(
        user=user,
        playlist=PlaylistRecord("p1", "Their mix", owner_spotify_id="them", snapshot_id="s", items_total=80),
        items=None,
    )

    playlist = Playlist.objects.get(pk=old.pk)
    assert (playlist.name, playlist.items_total, playlist.track_count) == ("Their mix", 80, 0)
    assert playlist.items_status == ItemsStatus.NOT_AVAILABLE
    assert not playlist.items.exists()


def test_store_playlist_costs_the_same_queries_for_many_items_as_for_one(django_assert_max_num_queries):
    from tests.sync.import_support import sqlite_batches

    user = UserFactory()
    upsert_catalog(**catalog_for("t1"))
    many = [ItemRecord(n, ItemKind.TRACK, track_id="t1") for n in range(1000)]

    with django_assert_max_num_queries(3):
        store_playlist(user=user, playlist=PlaylistRecord("small", "Small", items_total=1), items=many[:1])
    with django_assert_max_num_queries(3 + sqlite_batches(1000, tables=1)):
        store_playlist(user=user, playlist=PlaylistRecord("big", "Big", items_total=1000), items=many)

    assert PlaylistItem.objects.filter(playlist__spotify_id="big").count() == 1000


def test_saving_listing_metadata_leaves_items_and_snapshot_alone():
    user = UserFactory()
    playlist = PlaylistFactory(user=user, spotify_id="p1", snapshot_id="s1", track_count=1, items_total=1)
    PlaylistItemFactory(playlist=playlist)

    save_playlist_metadata(
        user=user,
        playlists=[
            PlaylistRecord(
                "p1", "New name", public=False, snapshot_id="ignored", items_total=1, list_position=9
            ),
            PlaylistRecord("p2", "Never imported", items_total=5, list_position=10),
        ],
    )

    playlist.refresh_from_db()
    assert (playlist.name, playlist.public, playlist.list_position) == ("New name", False, 9)
    assert (playlist.snapshot_id, playlist.track_count, playlist.items.count()) == ("s1", 1, 1)
    created = Playlist.objects.get(user=user, spotify_id="p2")
    assert (created.snapshot_id, created.kind, created.track_count) == ("", PlaylistKind.PLAYLIST, 0)


def test_a_playlist_missing_from_two_complete_listings_goes_with_its_items_but_the_catalog_stays():
    user, neighbour = UserFactory(), UserFactory()
    kept = PlaylistFactory(user=user, spotify_id="keep")
    gone = PlaylistFactory(user=user, spotify_id="gone")
    track = TrackFactory()
    PlaylistItemFactory(playlist=gone, track=track)
    theirs = PlaylistFactory(user=neighbour, spotify_id="gone")

    first = reconcile_listed_playlists(user=user, listed_spotify_ids=["keep"], complete=True)

    assert (first.marked, first.removed) == (["gone"], [])
    gone.refresh_from_db()
    assert gone.not_seen and gone.missing_imports == 1 and gone.items.count() == 1

    second = reconcile_listed_playlists(user=user, listed_spotify_ids=["keep"], complete=True)

    assert (second.marked, second.removed) == ([], ["gone"])
    assert set(Playlist.objects.values_list("pk", flat=True)) == {kept.pk, theirs.pk}
    assert not PlaylistItem.objects.filter(playlist_id=gone.pk).exists()
    assert Track.objects.filter(pk=track.pk).exists()


def test_an_incomplete_listing_neither_marks_nor_removes_the_playlists_it_did_not_have():
    user = UserFactory()
    marked = PlaylistFactory(user=user, spotify_id="marked", missing_imports=1, missing_since=timezone.now())
    unmarked = PlaylistFactory(user=user, spotify_id="unmarked")

    outcome = reconcile_listed_playlists(user=user, listed_spotify_ids=[], complete=False)

    assert (outcome.marked, outcome.removed) == ([], [])
    marked.refresh_from_db()
    unmarked.refresh_from_db()
    assert (marked.missing_imports, unmarked.missing_imports) == (1, 0)


def test_a_playlist_listed_again_loses_its_not_seen_mark_so_a_later_miss_starts_over():
    user = UserFactory()
    back = PlaylistFactory(user=user, spotify_id="back", missing_imports=1, missing_since=timezone.now())

    reconcile_listed_playlists(user=user, listed_spotify_ids=["back"], complete=False)
    back.refresh_from_db()
    assert (back.missing_imports, back.missing_since) == (0, None)

    again = reconcile_listed_playlists(user=user, listed_spotify_ids=[], complete=True)

    assert (again.marked, again.removed) == (["back"], [])
    assert Playlist.objects.filter(pk=back.pk).exists()


def _mirror_of(*track_ids: str):
    tracks = {tid: TrackFactory(spotify_id=tid) for tid in dict.fromkeys(track_ids)}
    playlist = PlaylistFactory(snapshot_id="reviewed", items_total=len(track_ids), track_count=len(track_ids))
    for position, tid in enumerate(track_ids):
        PlaylistItemFactory(
            playlist=playlist, position=position, track=tracks[tid], added_by=f"row{position}"
        )
    return playlist


def _rows(playlist) -> list[tuple[int, str, str]]:
    return list(playlist.items.order_by("position").values_list("position", "track_id", "added_by"))


def test_removed_rows_leave_the_mirror_and_later_rows_move_up_keeping_what_they_knew():
    playlist = _mirror_of("t1", "t2", "t1", "t3", "t2", "t4")

    removed = {2: "t1", 4: "t2"}
    assert forget_removed_rows(
        user_id=playlist.user_id, spotify_id=playlist.spotify_id, reviewed_snapshot="reviewed", removed=removed
    )

    assert _rows(playlist) == [(0, "t1", "row0"), (1, "t2", "row1"), (2, "t3", "row3"), (3, "t4", "row5")]
    playlist.refresh_from_db()
    assert (playlist.snapshot_id, playlist.track_count, playlist.items_total) == ("reviewed", 4, 4)


@pytest.mark.parametrize(
    "snapshot, removed",
    [("newer", {2: "t1"}), ("reviewed", {2: "t2"}), ("reviewed", {9: "t1"})],
    ids=["an-import-stored-a-newer-version", "another-track-there", "no-such-row"],
)
def test_a_mirror_that_is_not_the_reviewed_one_is_left_alone(snapshot, removed):
    playlist = _mirror_of("t1", "t2", "t1")
    before = _rows(playlist)

    assert not forget_removed_rows(
        user_id=playlist.user_id, spotify_id=playlist.spotify_id, reviewed_snapshot=snapshot, removed=removed
    )

    assert _rows(playlist) == before
