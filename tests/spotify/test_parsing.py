"""Spotify JSON → records: both generations of field names, every kind of row, Liked Songs' snapshot."""

from __future__ import annotations

from datetime import UTC, datetime

from library.models import LIKED_SONGS_ID, ItemKind, PlaylistKind
from spotify.parsing import ItemCollector, liked_songs_record, liked_songs_snapshot, playlist_record


def track(track_id: str = "t1", **extra) -> dict:
    return {
        "type": "track",
        "id": track_id,
        "uri": f"spotify:track:{track_id}",
        "name": "Song",
        "duration_ms": 1000,
        "explicit": True,
        "is_local": False,
        "external_ids": {"isrc": "GBAAA0000001"},
        "album": {"id": "al1", "name": "Album", "album_type": "single", "release_date": "2001", "images": []},
        "artists": [{"id": "a1", "name": "One"}, {"id": "a2", "name": "Two"}],
        **extra,
    }


def row(obj: dict | None, *, legacy: bool = False, is_local: bool = False) -> dict:
    return {
        "added_at": "2025-01-02T03:04:05Z",
        "added_by": {"id": "friend"},
        "is_local": is_local,
        ("track" if legacy else "item"): obj,
    }


def test_a_playlist_reads_the_new_items_total_and_the_legacy_tracks_total():
    new = {
        "id": "p1",
        "name": "N",
        "public": None,
        "snapshot_id": "s",
        "owner": {"id": "me"},
        "items": {"total": 7},
    }
    legacy = {**new, "items": None, "tracks": {"total": 9}, "public": True}

    assert playlist_record(new, list_position=3).items_total == 7
    assert playlist_record(new, list_position=3).public is None
    assert playlist_record(legacy, list_position=3).items_total == 9


def test_rows_are_read_under_item_or_track_and_keep_position_added_at_and_added_by():
    collector = ItemCollector()

    collector.add_page({"total": 2, "items": [row(track("t1")), row(track("t2"), legacy=True)]})

    assert [(i.position, i.kind, i.track_id, i.added_by) for i in collector.items] == [
        (0, ItemKind.TRACK, "t1", "friend"),
        (1, ItemKind.TRACK, "t2", "friend"),
    ]
    assert collector.items[0].added_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert collector.tracks["t1"].artist_ids == ("a1", "a2") and collector.tracks["t1"].popularity is None
    assert collector.artists["a1"].genres is None  # simplified artist: genres unknown, not empty
    assert collector.albums["al1"].label is None and collector.total == 2


def test_local_files_episodes_and_unavailable_rows_keep_their_kind():
    local = track(None, is_local=True, name="Bootleg", uri="spotify:local:x:y:Bootleg:61", album={"id": None})
    episode = {"type": "episode", "id": "e1", "uri": "spotify:episode:e1", "name": "Ep. 1"}
    collector = ItemCollector()

    collector.add_page({"items": [row(local, is_local=True), row(episode), row(None)]})

    assert [(i.kind, i.track_id, i.name, i.local_name, i.uri) for i in collector.items] == [
        (ItemKind.LOCAL, None, "Bootleg", "Bootleg", "spotify:local:x:y:Bootleg:61"),
        (ItemKind.EPISODE, None, "Ep. 1", "", "spotify:episode:e1"),
        (ItemKind.UNAVAILABLE, None, "", "", ""),
    ]
    assert collector.tracks == {} and collector.artists == {}


def test_positions_stay_unique_across_pages():
    collector = ItemCollector()

    collector.add_page({"items": [row(track("t1"))]})
    collector.add_page({"items": [row(track("t1"))]})

    assert [i.position for i in collector.items] == [0, 1]


def test_liked_songs_snapshot_changes_when_a_song_is_liked_or_unliked():
    page = {"total": 2, "items": [{"added_at": "2025-01-02T00:00:00Z", "track": track("t9")}]}
    liked_another = {"total": 3, "items": [{"added_at": "2025-02-02T00:00:00Z", "track": track("t8")}]}
    unliked_one = {**page, "total": 1}

    snapshots = {liked_songs_snapshot(p) for p in (page, liked_another, unliked_one)}

    assert len(snapshots) == 3
    assert liked_songs_snapshot({"total": 0, "items": []}) == "liked:0"


def test_liked_songs_is_a_private_pseudo_playlist_at_the_top():
    record = liked_songs_record(first_page={"total": 0, "items": []}, owner_spotify_id="me", owner_name="Me")

    assert (record.spotify_id, record.kind, record.list_position, record.public) == (
        LIKED_SONGS_ID,
        PlaylistKind.LIKED_SONGS,
        0,
        False,
    )
