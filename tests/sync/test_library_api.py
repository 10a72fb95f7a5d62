"""/api/library/playlists/: the caller's mirror, read-only, for scripts. Owner, stranger, anonymous."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from library.models import ItemKind, ItemsStatus, PlaylistKind
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def test_the_owner_lists_their_playlists_in_spotifys_order(api, owner):
    second = PlaylistFactory(user=owner, name="Second", list_position=2, items_total=3, track_count=3)
    liked = PlaylistFactory(user=owner, name="Liked Songs", kind=PlaylistKind.LIKED_SONGS, list_position=0)
    refused = PlaylistFactory(
        user=owner,
        name="Followed",
        list_position=1,
        items_total=40,
        track_count=0,
        items_status=ItemsStatus.NOT_AVAILABLE,
        owner_spotify_id="crate_digger",
        owner_name="Crate Digger",
        public=True,
        collaborative=False,
    )
    PlaylistFactory(name="Not mine")
    api.force_authenticate(owner)

    body = api.get("/api/library/playlists/").json()

    assert body["count"] == 3
    assert [p["id"] for p in body["results"]] == [liked.pk, refused.pk, second.pk]
    followed = body["results"][1]
    assert followed["owner"] == {"spotify_id": "crate_digger", "name": "Crate Digger"}
    assert (followed["items_total"], followed["track_count"], followed["items_status"]) == (
        40,
        0,
        "not_available",
    )
    assert (followed["public"], followed["collaborative"]) == (True, False)
    assert followed["snapshot_id"] == refused.snapshot_id and followed["name"] == "Followed"


def test_the_playlist_list_costs_a_bounded_number_of_queries(
    api, owner, django_assert_max_num_queries, memory_cache
):
    for _ in range(30):
        PlaylistFactory(user=owner)
    api.force_authenticate(owner)

    with django_assert_max_num_queries(3):
        response = api.get("/api/library/playlists/")

    assert response.status_code == 200 and response.json()["count"] == 30


def test_the_owner_reads_a_playlist_with_its_items_tracks_albums_and_artists(api, owner):
    playlist = PlaylistFactory(user=owner, items_total=3, track_count=3)
    track = TrackFactory(name="Blue Monday", explicit=False, artist=ArtistFactory(name="New Order"))
    PlaylistItemFactory(playlist=playlist, position=0, track=track, added_by="demo")
    PlaylistItemFactory(playlist=playlist, position=1, kind=ItemKind.EPISODE, track=None, name="A podcast")
    PlaylistItemFactory(playlist=playlist, position=2, kind=ItemKind.LOCAL, track=None, local_name="demo.mp3")
    api.force_authenticate(owner)

    body = api.get(f"/api/library/playlists/{playlist.pk}/").json()

    assert body["id"] == playlist.pk and body["items"]["count"] == 3
    first, episode, local = body["items"]["results"]
    assert first["name"] == "Blue Monday" and first["kind"] == "track" and first["added_by"] == "demo"
    assert first["track"]["artists"] == [{"spotify_id": track.credits.get().artist_id, "name": "New Order"}]
    assert first["track"]["album"]["name"] == track.album.name
    assert (episode["name"], episode["kind"], episode["track"]) == ("A podcast", "episode", None)
    assert (local["name"], local["kind"]) == ("demo.mp3", "local")


def test_playlist_items_are_paginated_with_a_bounded_number_of_queries(
    api, owner, django_assert_max_num_queries, memory_cache
):
    playlist = PlaylistFactory(user=owner)
    for position in range(130):
        PlaylistItemFactory(playlist=playlist, position=position)
    api.force_authenticate(owner)

    with django_assert_max_num_queries(6):
        first = api.get(f"/api/library/playlists/{playlist.pk}/").json()
    second = api.get(first["items"]["next"]).json()

    assert len(first["items"]["results"]) == 100 and len(second["items"]["results"]) == 30
    assert second["items"]["results"][0]["position"] == 100


def test_a_stranger_gets_404_for_the_owners_playlist_and_sees_none_in_their_list(api, owner):
    playlist = PlaylistFactory(user=owner)
    api.force_authenticate(UserFactory())

    assert api.get(f"/api/library/playlists/{playlist.pk}/").status_code == 404
    assert api.get("/api/library/playlists/").json()["count"] == 0


def test_anonymous_callers_get_401_from_the_library_api(api, owner):
    playlist = PlaylistFactory(user=owner)

    assert api.get("/api/library/playlists/").status_code == 401
    assert api.get(f"/api/library/playlists/{playlist.pk}/").status_code == 401


def test_an_image_spotify_did_not_give_is_null_and_one_it_gave_is_its_url(api, owner):
    bare = PlaylistFactory(user=owner, list_position=0, image_url="")
    covered = PlaylistFactory(user=owner, list_position=1, image_url="https://i.scdn.co/image/abc")
    PlaylistItemFactory(playlist=bare, track=TrackFactory(album__image_url=""))
    api.force_authenticate(owner)

    listed = api.get("/api/library/playlists/").json()["results"]
    detail = api.get(f"/api/library/playlists/{bare.pk}/").json()

    assert [p["image_url"] for p in listed] == [None, covered.image_url]
    assert detail["image_url"] is None
    assert detail["items"]["results"][0]["track"]["album"]["image_url"] is None
