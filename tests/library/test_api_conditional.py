"""Conditional and cached reads of /api/library/playlists/ and a playlist's items: 304 while the
mirror is unchanged, a fresh body after an import, never another listener's answer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from library import services
from library.models import Playlist
from library.records import ItemRecord, PlaylistRecord
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture
from tests.sync.import_support import connect, import_library, spotify_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def _record(playlist: Playlist, **changes) -> PlaylistRecord:
    """The playlist as an import's listing would describe it, with `changes`."""
    fields = {
        "spotify_id": playlist.spotify_id,
        "kind": playlist.kind,
        "name": playlist.name,
        "description": playlist.description,
        "owner_spotify_id": playlist.owner_spotify_id,
        "owner_name": playlist.owner_name,
        "public": playlist.public,
        "collaborative": playlist.collaborative,
        "image_url": playlist.image_url,
        "items_total": playlist.items_total,
        "list_position": playlist.list_position,
        "snapshot_id": playlist.snapshot_id,
    }
    return PlaylistRecord(**{**fields, **changes})


def test_an_unchanged_playlist_list_answers_304_with_no_body(api, owner):
    PlaylistFactory(user=owner, name="Evening")
    api.force_authenticate(owner)

    first = api.get("/api/library/playlists/")
    again = api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first.json()["results"][0]["name"] == "Evening"
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]


def test_a_write_of_the_listing_changes_the_lists_etag_and_its_body_is_fresh(api, owner):
    playlist = PlaylistFactory(user=owner, name="Evening")
    api.force_authenticate(owner)
    first = api.get("/api/library/playlists/")

    services.save_playlist_metadata(user=owner, playlists=[_record(playlist, name="Late evening")])
    after = api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert after.json()["results"][0]["name"] == "Late evening"


def test_a_playlist_removed_from_the_mirror_leaves_the_list_at_once(api, owner):
    kept, gone = PlaylistFactory(user=owner), PlaylistFactory(user=owner)
    api.force_authenticate(owner)
    first = api.get("/api/library/playlists/")

    Playlist.objects.filter(pk=gone.pk).delete()
    after = api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and [p["id"] for p in after.json()["results"]] == [kept.pk]


def test_an_import_that_replaces_a_playlists_items_changes_its_page(api, owner):
    playlist = PlaylistFactory(user=owner, items_total=1, track_count=1)
    PlaylistItemFactory(playlist=playlist, position=0, track=TrackFactory(name="Ceremony"))
    newcomer = TrackFactory(name="Temptation")
    api.force_authenticate(owner)
    url = f"/api/library/playlists/{playlist.pk}/"
    first = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    services.store_playlist(
        user=owner,
        playlist=_record(playlist, items_total=2, snapshot_id="next"),
        items=[
            ItemRecord(position=0, kind="track", track_id=newcomer.pk, uri=f"spotify:track:{newcomer.pk}"),
            ItemRecord(position=1, kind="episode", name="A podcast", uri="spotify:episode:x"),
        ],
    )
    after = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    body = after.json()
    assert body["snapshot_id"] == "next" and body["items"]["count"] == 2
    assert [item["name"] for item in body["items"]["results"]] == ["Temptation", "A podcast"]


def test_each_page_of_items_has_its_own_etag_and_body(api, owner):
    playlist = PlaylistFactory(user=owner)
    for position in range(130):
        PlaylistItemFactory(playlist=playlist, position=position)
    api.force_authenticate(owner)
    url = f"/api/library/playlists/{playlist.pk}/"

    first, second = api.get(url), api.get(url, {"page": 2})
    second_with_first_etag = api.get(url, {"page": 2}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["ETag"] != second["ETag"]
    assert second_with_first_etag.status_code == 200
    assert second_with_first_etag.json()["items"]["results"][0]["position"] == 100


def test_after_a_real_import_of_edits_the_list_and_the_items_are_fresh(api, sandbox, settings):
    user = connect(sandbox)
    import_library(user)
    api.force_authenticate(user)
    library = spotify_library(sandbox)
    mix = library.playlists[0]["id"]
    mirrored = Playlist.objects.get(user=user, spotify_id=mix)
    items_url = f"/api/library/playlists/{mirrored.pk}/"
    listing, items = api.get("/api/library/playlists/"), api.get(items_url)
    assert api.get(items_url, HTTP_IF_NONE_MATCH=items["ETag"]).status_code == 304

    donor = next(rows for pid, rows in library.items.items() if rows and pid != mix)
    sandbox.mutate_playlist(mix, op="add", uris=[donor[0]["item"]["uri"]], position=0)
    sandbox.mutate_playlist(mix, op="rename", name="Mix (edited)")
    import_library(user)
    listing_after = api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=listing["ETag"])
    items_after = api.get(items_url, HTTP_IF_NONE_MATCH=items["ETag"])

    assert listing_after.status_code == 200 and listing_after["ETag"] != listing["ETag"]
    assert "Mix (edited)" in [p["name"] for p in listing_after.json()["results"]]
    assert items_after.status_code == 200 and items_after["ETag"] != items["ETag"]
    body = items_after.json()
    assert body["name"] == "Mix (edited)" and body["items"]["count"] == items.json()["items"]["count"] + 1
    assert body["items"]["results"][0]["track"]["spotify_id"] == donor[0]["item"]["id"]


def test_a_stranger_never_gets_the_owners_304_or_cached_answers(api, owner):
    playlist = PlaylistFactory(user=owner)
    PlaylistItemFactory(playlist=playlist, position=0)
    api.force_authenticate(owner)
    listing = api.get("/api/library/playlists/")
    items = api.get(f"/api/library/playlists/{playlist.pk}/")

    api.force_authenticate(UserFactory())
    their_listing = api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=listing["ETag"])
    their_items = api.get(f"/api/library/playlists/{playlist.pk}/", HTTP_IF_NONE_MATCH=items["ETag"])

    assert their_listing.status_code == 200 and their_listing.json()["count"] == 0
    assert their_items.status_code == 404


def test_anonymous_callers_get_401_even_with_the_owners_etag(api, owner):
    playlist = PlaylistFactory(user=owner)
    api.force_authenticate(owner)
    listing = api.get("/api/library/playlists/")
    items = api.get(f"/api/library/playlists/{playlist.pk}/")
    api.force_authenticate(None)

    assert api.get("/api/library/playlists/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 401
    detail = api.get(f"/api/library/playlists/{playlist.pk}/", HTTP_IF_NONE_MATCH=items["ETag"])
    assert detail.status_code == 401


def test_cached_reads_cost_one_query_besides_the_callers_token(
    api, owner, django_assert_max_num_queries, memory_cache
):
    playlist = PlaylistFactory(user=owner)
    for position in range(120):
        PlaylistItemFactory(playlist=playlist, position=position)
    for _ in range(60):
        PlaylistFactory(user=owner)
    api.force_authenticate(owner)
    url = f"/api/library/playlists/{playlist.pk}/"

    # Built: the version, then the count and the page (items: their credits too).
    with django_assert_max_num_queries(3):
        listing = api.get("/api/library/playlists/")
    with django_assert_max_num_queries(4):
        items = api.get(url)
    # From the cache, or 304: the version alone.
    with django_assert_max_num_queries(1):
        assert api.get("/api/library/playlists/").content == listing.content
    with django_assert_max_num_queries(1):
        assert api.get(url).content == items.content
    with django_assert_max_num_queries(1):
        assert api.get(url, HTTP_IF_NONE_MATCH=items["ETag"]).status_code == 304
