"""The device library API: sync, one collection at a time, changes since, session pings. The owner
gets their library, a stranger only their own, anonymous callers a 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from devices.models import DeviceSession
from devices.services import load_device_library
from devices.types import SESSION_TTL
from tests.accounts.factories import UserFactory, api_token_secret

pytestmark = pytest.mark.django_db

SYNC, CHANGES, PING = "/api/me/library/sync", "/api/me/library/changes", "/api/me/session/ping"
AT, LATER = "2025-03-01T12:00:00Z", "2025-03-02T12:00:00Z"
COLLECTION_URLS = {
    "favorites": "/api/me/favorites",
    "history": "/api/me/history",
    "queue": "/api/me/queue",
    "playlists": "/api/me/playlists",
    "preferences": "/api/me/preferences",
    "recent_searches": "/api/me/recent-searches",
}


def track(n: int) -> str:
    return f"track{n:017d}"


def favorite(n: int, **fields) -> dict:
    return {"track": track(n), "title": f"Song {n}", "artist": "Band", "added_at": AT, **fields}


def play(n: int, at: str = AT) -> dict:
    return {"track": track(n), "title": f"Song {n}", "played_at": at, "completion": 1.0, "source": "album"}


def playlist(**fields) -> dict:
    items = [{"track": track(1), "title": "Song 1", "added_at": AT}]
    base = {"local_id": "p1", "name": "Road", "description": "", "is_public": False, "items": items}
    return {**base, "created_at": AT, "updated_at": AT, **fields}


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
    return client


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def api(owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def stranger_api() -> APIClient:
    return client_for(UserFactory())


@pytest.fixture
def synced(api) -> dict:
    """The owner's first sync: two favorites, a play, a new playlist, preferences, a search."""
    body = {
        "favorites": [favorite(1), favorite(2)],
        "history": [play(1)],
        "playlists": [playlist()],
        "preferences": {"shuffle": False, "repeat": "off", "volume": 0.8, "updated_at": AT},
        "recent_searches": [{"query": "Abba", "searched_at": AT}],
    }
    response = api.post(SYNC, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


ENDPOINTS = [("post", SYNC), ("get", CHANGES + "?since=" + AT), ("post", PING)] + [
    ("put", url) for url in COLLECTION_URLS.values()
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_get_401_from_every_device_endpoint(method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_sync_answers_the_merged_library_and_the_server_id_of_a_new_playlist(api, owner, synced):
    library = synced["library"]
    stored = load_device_library(user=owner)

    (server_playlist,) = stored.playlists
    assert synced["playlist_ids"] == {"p1": server_playlist.id}
    assert library["playlists"][0]["id"] == server_playlist.id
    assert {f["track"] for f in library["favorites"]} == {track(1), track(2)}
    assert [(h["track"], h["played_at"]) for h in library["history"]] == [(track(1), AT)]
    assert library["preferences"] == {"shuffle": False, "repeat": "off", "volume": 0.8, "updated_at": AT}
    assert library["queue"] is None


def test_a_sync_resent_after_a_lost_answer_does_not_make_a_second_playlist(api, owner, synced):
    again = api.post(SYNC, {"playlists": [playlist()]}, format="json").json()

    assert again["playlist_ids"] == synced["playlist_ids"]
    assert len(load_device_library(user=owner).playlists) == 1


def test_an_empty_sync_just_reads_the_library(api, synced):
    response = api.post(SYNC, {}, format="json")

    assert response.json()["library"] == synced["library"]


def test_a_track_uri_is_stored_and_answered_as_its_id(api, owner):
    body = {"favorites": [favorite(1, track="spotify:track:" + track(1))]}

    library = api.post(SYNC, body, format="json").json()["library"]

    assert library["favorites"][0]["track"] == track(1)


def test_favorites_put_keeps_a_removal_newer_than_the_addition(api, owner, synced):
    response = api.put(COLLECTION_URLS["favorites"], [favorite(1, removed_at=LATER)], format="json")

    assert response.status_code == 200
    by_track = {f["track"]: f for f in response.json()}
    assert by_track[track(1)]["removed_at"] == LATER  # kept as a marker for other devices
    assert by_track[track(2)]["removed_at"] is None  # not sent: not touched
    assert {f.ref.track for f in load_device_library(user=owner).favorites if f.removed} == {track(1)}


def test_history_put_adds_plays_to_the_stored_ones(api, synced):
    response = api.put(COLLECTION_URLS["history"], [play(2, LATER)], format="json")

    assert [(h["track"], h["played_at"]) for h in response.json()] == [(track(2), LATER), (track(1), AT)]


def test_queue_put_keeps_the_newer_queue_whole(api, synced):
    newer = {"items": [{"track": track(3)}, {"track": track(4)}], "updated_at": LATER, "device": "laptop"}
    older = {"items": [{"track": track(5)}], "updated_at": AT, "device": "phone"}

    assert api.put(COLLECTION_URLS["queue"], newer, format="json").status_code == 200
    response = api.put(COLLECTION_URLS["queue"], older, format="json")

    assert response.status_code == 200
    body = response.json()
    assert ([i["track"] for i in body["items"]], body["device"]) == ([track(3), track(4)], "laptop")


def test_playlists_put_merges_field_by_field_and_gives_new_ones_an_id(api, synced):
    server_id = synced["playlist_ids"]["p1"]
    renamed = playlist(id=server_id, name="Road trip", name_updated_at=LATER)
    new = playlist(local_id="p2", name="Gym")

    response = api.put(COLLECTION_URLS["playlists"], [renamed, new], format="json")

    assert response.status_code == 200
    by_local = {p["local_id"]: p for p in response.json()}
    assert (by_local["p1"]["id"], by_local["p1"]["name"]) == (server_id, "Road trip")
    assert by_local["p2"]["id"] not in (None, server_id)


def test_preferences_put_ignores_older_preferences(api, synced):
    older = {"shuffle": True, "repeat": "all", "volume": 0.1, "updated_at": "2025-01-01T00:00:00Z"}

    response = api.put(COLLECTION_URLS["preferences"], older, format="json")

    assert response.json()["volume"] == 0.8


def test_recent_searches_put_keeps_one_search_per_query_whatever_its_case(api, synced):
    response = api.put(
        COLLECTION_URLS["recent_searches"], [{"query": "abba", "searched_at": LATER}], format="json"
    )

    assert [(s["query"], s["searched_at"]) for s in response.json()] == [("abba", LATER)]


def test_a_stranger_syncing_sees_only_their_own_library(stranger_api, owner, synced):
    response = stranger_api.post(SYNC, {}, format="json")

    assert response.status_code == 200
    assert response.json()["library"] == {
        "favorites": [],
        "history": [],
        "queue": None,
        "playlists": [],
        "preferences": None,
        "recent_searches": [],
    }


STRANGER_BODIES = {
    "favorites": [favorite(9)],
    "history": [play(9)],
    "queue": {"items": [{"track": track(9)}], "updated_at": LATER, "device": "TV"},
    "playlists": [playlist(local_id="s1", name="Theirs", items=[{"track": track(9), "added_at": LATER}])],
    "preferences": {"shuffle": True, "repeat": "one", "volume": 0.3, "updated_at": LATER},
    "recent_searches": [{"query": "theirs", "searched_at": LATER}],
}


@pytest.mark.parametrize("collection", list(COLLECTION_URLS))
def test_a_strangers_put_never_shows_or_changes_the_owners_collection(
    stranger_api, owner, synced, collection
):
    before = load_device_library(user=owner)

    response = stranger_api.put(COLLECTION_URLS[collection], STRANGER_BODIES[collection], format="json")

    assert response.status_code == 200
    answer = response.content.decode()
    assert not any(owners in answer for owners in ("Song 1", "Song 2", "Road", "Abba", "0.8"))
    assert load_device_library(user=owner) == before


def test_a_stranger_cannot_edit_the_owners_playlist_by_its_id(stranger_api, owner, synced):
    owner_id = synced["playlist_ids"]["p1"]
    hijack = playlist(id=owner_id, local_id=None, name="Mine now", name_updated_at=LATER)

    response = stranger_api.put(COLLECTION_URLS["playlists"], [hijack], format="json")

    assert response.status_code == 200
    (theirs,) = response.json()
    assert theirs["id"] != owner_id  # a playlist of their own, not the owner's
    assert [p.name for p in load_device_library(user=owner).playlists] == ["Road"]


def test_changes_since_a_server_time_hold_only_what_was_written_after_it(api, synced):
    first = api.get(CHANGES, {"since": "2000-01-01T00:00:00Z"}).json()
    assert {f["track"] for f in first["library"]["favorites"]} == {track(1), track(2)}

    api.put(COLLECTION_URLS["favorites"], [favorite(3, added_at=LATER)], format="json")
    response = api.get(CHANGES, {"since": first["server_time"]})

    assert response.status_code == 200
    changes = response.json()
    assert [f["track"] for f in changes["library"]["favorites"]] == [track(3)]
    assert changes["library"]["history"] == [] and changes["library"]["playlists"] == []
    assert changes["since"] == first["server_time"]


def test_changes_accept_an_unencoded_plus_in_the_time_zone(api, synced):
    response = api.get(CHANGES + "?since=2000-01-01T01:00:00+01:00")

    assert response.status_code == 200
    assert response.json()["since"] == "2000-01-01T00:00:00Z"


def test_a_strangers_changes_never_include_the_owners_library(stranger_api, synced):
    library = stranger_api.get(CHANGES, {"since": "2000-01-01T00:00:00Z"}).json()["library"]

    assert library["favorites"] == [] and library["playlists"] == [] and library["history"] == []


def test_two_sessions_pinging_are_multiple_sessions_until_one_goes_quiet_past_the_ttl(api, owner):
    one = api.post(PING, {"session_id": "phone-1", "device": "Phone"}, format="json").json()
    assert one["multiple_sessions"] is False
    assert [(s["session_id"], s["current"]) for s in one["active_sessions"]] == [("phone-1", True)]

    two = api.post(PING, {"session_id": "laptop-1", "device": "Laptop"}, format="json").json()
    assert two["multiple_sessions"] is True
    assert {(s["session_id"], s["device"], s["current"]) for s in two["active_sessions"]} == {
        ("phone-1", "Phone", False),
        ("laptop-1", "Laptop", True),
    }

    quiet = timezone.now() - SESSION_TTL - timedelta(seconds=1)
    DeviceSession.objects.filter(user=owner, session_id="phone-1").update(last_seen=quiet)
    after = api.post(PING, {"session_id": "laptop-1", "device": "Laptop"}, format="json").json()
    assert after["multiple_sessions"] is False
    assert [s["session_id"] for s in after["active_sessions"]] == ["laptop-1"]


def test_a_strangers_ping_lists_only_their_own_sessions(api, stranger_api):
    api.post(PING, {"session_id": "owner-phone", "device": "Phone"}, format="json")

    body = stranger_api.post(PING, {"session_id": "stranger-tv", "device": "TV"}, format="json").json()

    assert [s["session_id"] for s in body["active_sessions"]] == ["stranger-tv"]
    assert body["multiple_sessions"] is False


def test_history_queue_and_playlist_items_keep_artwork_and_length_like_favorites(api, owner):
    art = {"artwork_url": "https://img.example/cover.jpg", "duration_ms": 215000}
    track = "4uLU6hMCjMI75M1A2tKUQC"
    body = {
        "history": [{"track": track, "title": "T", "artist": "A", "played_at": "2026-01-01T10:00:00Z", **art}],
        "queue": {"items": [{"track": track, "title": "T", "artist": "A", **art}],
                  "updated_at": "2026-01-01T10:00:00Z", "device": "phone"},
        "playlists": [{"local_id": "p1", "name": "P", "description": "", "is_public": False,
                       "items": [{"track": track, "title": "T", "artist": "A", "added_at": "2026-01-01T10:00:00Z", **art}],
                       "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z"}],
    }  # fmt: skip
    api.force_authenticate(owner)

    library = api.post("/api/me/library/sync", body, format="json").json()["library"]

    shown = [library["history"][0], library["queue"]["items"][0], library["playlists"][0]["items"][0]]
    assert [(item["artwork_url"], item["duration_ms"]) for item in shown] == [tuple(art.values())] * 3
