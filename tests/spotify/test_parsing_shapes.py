"""Spotify JSON in the shapes Spotify really sends besides the documented one: relinked
tracks, rows carrying `item`, `track` or both (one null), nulls inside lists, playlists
listed without items."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from library.models import ItemKind
from spotify.parsing import (
    CatalogRecords,
    ItemCollector,
    original_track,
    parse_recently_played,
    playlist_record,
    row_uris,
    track_objects,
)
from tests.spotify.test_parsing import track


def relinked(original_id: str, substitute_id: str) -> dict:
    """A track as Spotify answers with a market: the playable copy, naming the original."""
    return track(
        substitute_id,
        linked_from={
            "id": original_id,
            "uri": f"spotify:track:{original_id}",
            "href": f"https://api.spotify.com/v1/tracks/{original_id}",
            "type": "track",
            "external_urls": {"spotify": f"https://open.spotify.com/track/{original_id}"},
        },
        is_playable=True,
    )


# --- relinking -------------------------------------------------------------------------
def test_a_relinked_track_is_recorded_under_the_original_id():
    catalog = CatalogRecords()

    assert catalog.add_track(relinked("original", "playable")) == "original"
    assert set(catalog.tracks) == {"original"}
    assert catalog.tracks["original"].name == "Song"


def test_a_track_without_linked_from_keeps_its_own_id():
    obj = track("plain")
    assert original_track(obj) is obj


def test_the_original_identity_replaces_every_link_to_the_substitute():
    obj = original_track(relinked("original", "playable"))
    assert (obj["id"], obj["uri"]) == ("original", "spotify:track:original")
    assert obj["external_urls"]["spotify"].endswith("/original")
    # Kept, to say the rest of the object (album, credits) is the copy's.
    assert obj["linked_from"]["id"] == "original"


def test_a_relinked_copy_is_marked_so_the_catalog_never_rewrites_the_original_with_it():
    catalog = CatalogRecords()
    catalog.add_track(track("original"))
    catalog.add_track(relinked("original", "playable"))
    assert not catalog.tracks["original"].relinked  # the original's own details stand

    alone = CatalogRecords()
    alone.add_track(relinked("original", "playable"))
    assert alone.tracks["original"].relinked


def test_two_songs_relinked_to_one_substitute_stay_two_tracks():
    catalog = CatalogRecords()
    ids = [catalog.add_track(relinked(original, "shared")) for original in ("first", "second")]
    assert ids == ["first", "second"]
    assert set(catalog.tracks) == {"first", "second"}


def test_top_tracks_come_back_under_original_ids_and_without_nulls():
    page = {"items": [relinked("original", "playable"), None, track("plain")]}
    assert [obj["id"] for obj in track_objects(page)] == ["original", "plain"]


def test_a_relinked_play_joins_under_the_original_id():
    answer = {
        "items": [{"played_at": "2025-01-02T03:04:05.000Z", "track": relinked("original", "playable")}],
        "next": None,
    }
    page = parse_recently_played(answer)
    assert [play.track_id for play in page.plays] == ["original"]
    assert set(page.catalog.tracks) == {"original"}


def test_a_relinked_playlist_row_is_stored_and_written_back_under_the_original():
    rows = [{"added_at": None, "item": relinked("original", "playable")}]
    collector = ItemCollector()
    collector.add_page({"items": rows, "total": 1})
    assert [item.track_id for item in collector.items] == ["original"]
    assert row_uris(rows) == ["spotify:track:original"]


# --- rows: item, track, or both ----------------------------------------------------------
@pytest.mark.parametrize(
    "shape",
    [
        {"item": track("t1")},
        {"track": track("t1")},
        {"item": track("t1"), "track": track("t1")},
        {"item": None, "track": track("t1")},
        {"item": track("t1"), "track": None},
    ],
    ids=["item only", "track only", "both", "item null, track present", "track null, item present"],
)
def test_a_row_is_read_from_whichever_of_item_and_track_is_present(shape):
    collector = ItemCollector()
    collector.add_page({"items": [{"added_at": None, **shape}], "total": 1})
    assert [(item.kind, item.track_id) for item in collector.items] == [(ItemKind.TRACK, "t1")]
    assert row_uris([shape]) == ["spotify:track:t1"]


def test_a_row_whose_item_and_track_are_both_null_is_unavailable():
    collector = ItemCollector()
    collector.add_page({"items": [{"added_at": None, "item": None, "track": None}], "total": 1})
    assert [item.kind for item in collector.items] == [ItemKind.UNAVAILABLE]
    assert collector.skipped_nulls == 0  # an unavailable row is Spotify's answer, not a null entry


# --- nulls inside lists --------------------------------------------------------------------
artist_lists = st.lists(
    st.one_of(st.none(), st.builds(lambda n: {"id": f"a{n}", "name": f"Artist {n}"}, st.integers(0, 50))),
    max_size=8,
)


@given(artists=artist_lists)
def test_nulls_among_a_tracks_artists_are_skipped_and_counted(artists):
    catalog = CatalogRecords()
    catalog.add_track(track("t1", artists=artists))
    credited = [artist["id"] for artist in artists if artist is not None]
    assert catalog.tracks["t1"].artist_ids == tuple(credited)
    assert set(catalog.artists) == set(credited)
    assert catalog.skipped_nulls == artists.count(None)


@given(rows=st.lists(st.one_of(st.none(), st.integers(0, 20)), max_size=12))
def test_null_rows_in_an_items_page_are_kept_as_unavailable_so_the_rows_match_the_total(rows):
    page = [None if n is None else {"added_at": None, "item": track(f"t{n}")} for n in rows]
    collector = ItemCollector()
    collector.add_page({"items": page, "total": len(page)})
    # As many rows as Spotify's total (a route trusts no fewer), the null ones unavailable.
    assert [item.track_id for item in collector.items] == [None if n is None else f"t{n}" for n in rows]
    assert [item.kind for item in collector.items] == [
        ItemKind.UNAVAILABLE if n is None else ItemKind.TRACK for n in rows
    ]
    assert [item.position for item in collector.items] == list(range(len(rows)))
    assert len(collector.items) == collector.total


def test_nulls_in_album_artists_and_images_are_skipped_and_the_first_real_image_is_kept():
    album = {
        "id": "al1",
        "name": "Album",
        "artists": [None, {"id": "a1", "name": "One"}],
        "images": [None, {"url": "https://img/640", "height": 640, "width": 640}],
    }
    catalog = CatalogRecords()
    catalog.add_track(track("t1", album=album))
    assert catalog.albums["al1"].image_url == "https://img/640"
    assert catalog.skipped_nulls == 2


def test_a_null_play_is_skipped_but_still_counts_towards_a_full_page():
    play = {"played_at": "2025-01-02T03:04:05.000Z", "track": track("t1")}
    page = parse_recently_played({"items": [play, None]})
    assert [p.track_id for p in page.plays] == ["t1"]
    assert page.count == 2 and page.catalog.skipped_nulls == 1


# --- playlists listed without items --------------------------------------------------------
def test_a_playlist_listed_without_items_is_not_taken_for_an_empty_one():
    listed = playlist_record({"id": "p1", "name": "Followed", "owner": {"id": "someone"}}, list_position=1)
    assert listed.items_listed is False and listed.items_total == 0


@pytest.mark.parametrize("key", ["items", "tracks"])
def test_a_playlist_listed_with_an_items_reference_is_listed_with_its_total(key):
    listed = playlist_record({"id": "p1", "name": "Mine", key: {"href": "h", "total": 0}}, list_position=1)
    assert listed.items_listed is True and listed.items_total == 0
