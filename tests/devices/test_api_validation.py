"""Bad input to the device library API: 400 with the message at the field, and nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from devices.services import load_device_library
from tests.accounts.factories import UserFactory, api_token_secret

pytestmark = pytest.mark.django_db

SYNC, CHANGES, PING = "/api/me/library/sync", "/api/me/library/changes", "/api/me/session/ping"
AT = "2025-03-01T12:00:00Z"
TRACK = "4iV5W9uYEdYUVa79Axb7Rh"


def track(n: int) -> str:
    return f"track{n:017d}"


def favorite(n: int = 1, **fields) -> dict:
    return {"track": track(n), "title": f"Song {n}", "artist": "Band", "added_at": AT, **fields}


def play(n: int = 1, **fields) -> dict:
    return {"track": track(n), "played_at": AT, "completion": 1.0, "source": "album", **fields}


def playlist(**fields) -> dict:
    items = [{"track": track(1), "added_at": AT}]
    base = {"local_id": "p1", "name": "Road", "description": "", "is_public": False, "items": items}
    return {**base, "created_at": AT, "updated_at": AT, **fields}


def preferences(**fields) -> dict:
    return {"shuffle": True, "repeat": "all", "volume": 0.5, "updated_at": AT, **fields}


def queue(**fields) -> dict:
    return {"items": [{"track": track(1)}], "updated_at": AT, "device": "phone", **fields}


def search(n: int = 1, **fields) -> dict:
    return {"query": f"query {n}", "searched_at": AT, **fields}


def in_future(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def api(owner) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(owner)}")
    return client


@pytest.fixture
def stored(api, owner):
    """The owner's library after one good sync: what every refused request must leave as it was."""
    body = {
        "favorites": [favorite(1), favorite(2)],
        "history": [play(1)],
        "queue": queue(),
        "playlists": [playlist()],
        "preferences": preferences(),
        "recent_searches": [search(1)],
    }
    assert api.post(SYNC, body, format="json").status_code == 200
    return load_device_library(user=owner)


def refused(response, owner, stored) -> dict:
    assert response.status_code == 400, response.content
    assert load_device_library(user=owner) == stored
    return response.json()


def message_at(errors, path: list) -> str:
    """The messages at a field's path in a 400's body (list indexes are string keys in JSON)."""
    for step in path:
        errors = errors[step]
    return " ".join(errors) if isinstance(errors, list) else errors


def test_malformed_json_is_refused_with_the_parse_error(api, owner, stored):
    response = api.generic("POST", SYNC, '{"favorites": [', content_type="application/json")

    assert "JSON parse error" in refused(response, owner, stored)["detail"]


@pytest.mark.parametrize(
    "deep", ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000], ids=["arrays", "objects"]
)
@pytest.mark.parametrize("method, url", [("POST", SYNC), ("PUT", "/api/me/favorites"), ("POST", PING)])
def test_a_deeply_nested_body_is_refused_with_a_detail_and_nothing_stored(api, owner, stored, deep, method, url):
    response = api.generic(method, url, deep, content_type="application/json")

    detail = refused(response, owner, stored)["detail"]
    assert detail == "The request body is nested more than 32 levels deep (arrays and objects); the limit is 32."


def test_a_body_that_is_not_an_object_is_refused(api, owner, stored):
    body = refused(api.post(SYNC, [favorite()], format="json"), owner, stored)

    assert body == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}


@pytest.mark.parametrize(
    "size", [2 * 1024 * 1024 + 1, 3 * 1024 * 1024], ids=["just-over", "past-django-limit"]
)
def test_a_body_over_two_megabytes_is_refused_before_it_is_read(api, owner, stored, size):
    payload = '{"favorites": []}'.ljust(size)  # whitespace is valid JSON: only the size is wrong

    response = api.generic("POST", SYNC, payload, content_type="application/json")

    detail = refused(response, owner, stored)["detail"]
    assert detail.startswith(f"Request body is {size:,} bytes; the limit is 2,097,152 bytes (2 MB).")


def test_a_body_of_exactly_two_megabytes_is_read(api):
    payload = '{"favorites": []}'.ljust(2 * 1024 * 1024)

    assert api.generic("POST", SYNC, payload, content_type="application/json").status_code == 200


def test_other_content_types_than_json_are_refused_with_415(api, owner, stored):
    response = api.post(SYNC, {"favorites": "x"})  # multipart form

    assert response.status_code == 415
    assert load_device_library(user=owner) == stored


WRONG = [
    ({"favorites": [favorite(track=123)]}, ["favorites", "0", "track"], "Must be a string."),
    (
        {"favorites": [favorite(track="spotify:album:" + TRACK)]},
        ["favorites", "0", "track"],
        "Not a Spotify track",
    ),
    (
        {"favorites": [favorite(duration_ms="300")]},
        ["favorites", "0", "duration_ms"],
        "Must be a whole number.",
    ),
    ({"favorites": [favorite(added_at="yesterday")]}, ["favorites", "0", "added_at"], "Not an ISO 8601 time"),
    (
        {"favorites": [favorite(added_at="2025-03-01T12:00:00")]},
        ["favorites", "0", "added_at"],
        "Give the time zone",
    ),
    ({"favorites": favorite()}, ["favorites", 0], 'Expected a list of items but got type "dict".'),
    ({"history": [play(completion=1.5)]}, ["history", "0", "completion"], "less than or equal to 1"),
    ({"history": [play(completion="1")]}, ["history", "0", "completion"], "Must be a number."),
    ({"queue": queue(items="x")}, ["queue", "items", 0], "Expected a list of items"),
    ({"playlists": [playlist(is_public=1)]}, ["playlists", "0", "is_public"], "Must be true or false."),
    (
        {"playlists": [playlist(local_id=None)]},
        ["playlists", "0", "id"],
        "Give id (the server's) or local_id",
    ),
    ({"playlists": [playlist(name=None)]}, ["playlists", "0", "name"], "This field may not be null."),
    ({"preferences": preferences(shuffle="yes")}, ["preferences", "shuffle"], "Must be true or false."),
    (
        {"preferences": preferences(repeat="twice")},
        ["preferences", "repeat"],
        '"twice" is not a valid choice.',
    ),
    ({"preferences": preferences(volume=2)}, ["preferences", "volume"], "less than or equal to 1"),
    ({"recent_searches": [search(query="")]}, ["recent_searches", "0", "query"], "may not be blank"),
]


@pytest.mark.parametrize(("payload", "path", "message"), WRONG)
def test_a_wrong_type_or_value_is_refused_with_a_message_at_its_field(
    api, owner, stored, payload, path, message
):
    errors = refused(api.post(SYNC, payload, format="json"), owner, stored)

    assert message in message_at(errors, path)


TOO_MANY = [
    ({"favorites": [favorite(n) for n in range(5_001)]}, ["favorites"], "at most 5000, got 5001"),
    ({"history": [play(n) for n in range(501)]}, ["history"], "at most 500, got 501"),
    ({"queue": queue(items=[{"track": track(n)} for n in range(501)])}, ["queue", "items"], "at most 500"),
    ({"playlists": [playlist(local_id=f"p{n}") for n in range(201)]}, ["playlists"], "at most 200, got 201"),
    (
        {"playlists": [playlist(items=[{"track": track(n), "added_at": AT} for n in range(1_001)])]},
        ["playlists", "0", "items"],
        "at most 1000, got 1001",
    ),
    ({"recent_searches": [search(n) for n in range(21)]}, ["recent_searches"], "at most 20, got 21"),
]


@pytest.mark.parametrize(("payload", "path", "message"), TOO_MANY)
def test_too_many_items_are_refused_at_the_list(api, owner, stored, payload, path, message):
    errors = refused(api.post(SYNC, payload, format="json"), owner, stored)

    assert message in message_at(errors, path)


UNKNOWN = [
    ({"favourites": []}, ["favourites"]),
    ({"favorites": [favorite(rating=5)]}, ["favorites", "0", "rating"]),
    (
        {"playlists": [playlist(items=[{"track": TRACK, "added_at": AT, "position": 0}])]},
        ["playlists", "0", "items", "0", "position"],
    ),
    ({"queue": queue(shuffle=True)}, ["queue", "shuffle"]),
    ({"preferences": preferences(equalizer="rock")}, ["preferences", "equalizer"]),
]


@pytest.mark.parametrize(("payload", "path"), UNKNOWN)
def test_unknown_fields_are_refused_at_every_level(api, owner, stored, payload, path):
    errors = refused(api.post(SYNC, payload, format="json"), owner, stored)

    assert message_at(errors, path).startswith("Unknown field; this object takes ")


def test_an_unknown_field_is_reported_with_the_other_errors_of_its_object(api, owner, stored):
    errors = refused(
        api.post(SYNC, {"favorites": [favorite(added_at="x", mood="happy")]}, format="json"), owner, stored
    )

    assert set(errors["favorites"]["0"]) == {"added_at", "mood"}


FUTURE = [
    ({"favorites": [favorite(added_at="{future}")]}, ["favorites", "0", "added_at"]),
    ({"favorites": [favorite(removed_at="{future}")]}, ["favorites", "0", "removed_at"]),
    ({"history": [play(played_at="{future}")]}, ["history", "0", "played_at"]),
    ({"playlists": [playlist(name_updated_at="{future}")]}, ["playlists", "0", "name_updated_at"]),
    ({"preferences": preferences(updated_at="{future}")}, ["preferences", "updated_at"]),
]


@pytest.mark.parametrize(("payload", "path"), FUTURE)
def test_a_time_more_than_five_minutes_ahead_is_refused_not_clamped(api, owner, stored, payload, path):
    payload = json.loads(json.dumps(payload).replace("{future}", in_future(minutes=10)))

    errors = refused(api.post(SYNC, payload, format="json"), owner, stored)

    assert "times more than 5 minutes in the future are refused" in message_at(errors, path)


def test_a_time_within_five_minutes_ahead_is_a_tolerated_clock_skew(api, owner):
    response = api.post(SYNC, {"favorites": [favorite(9, added_at=in_future(minutes=2))]}, format="json")

    assert response.status_code == 200
    assert track(9) in {f.ref.track for f in load_device_library(user=owner).favorites}


COLLECTIONS = [
    ("/api/me/favorites", "favorites", [favorite(rating=5)], ["0", "rating"]),
    ("/api/me/history", "history", [play(completion=-0.1)], ["0", "completion"]),
    ("/api/me/queue", "queue", queue(updated_at=None), ["updated_at"]),
    ("/api/me/playlists", "playlists", [playlist(is_public="no")], ["0", "is_public"]),
    ("/api/me/preferences", "preferences", preferences(volume=-1), ["volume"]),
    ("/api/me/recent-searches", "recent_searches", [search()] * 21, [0]),
]


@pytest.mark.parametrize(("url", "collection", "payload", "path"), COLLECTIONS)
def test_each_collection_put_refuses_bad_input_at_the_field_under_the_collections_name(
    api, owner, stored, url, collection, payload, path
):
    errors = refused(api.put(url, payload, format="json"), owner, stored)

    assert message_at(errors, [collection, *path])


@pytest.mark.parametrize("url", ["/api/me/queue", "/api/me/preferences", "/api/me/favorites"])
def test_a_null_collection_is_refused_rather_than_read_as_nothing_to_say(api, owner, stored, url):
    response = api.generic("PUT", url, "null", content_type="application/json")

    assert refused(response, owner, stored)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "This field is required."),
        ({"since": "last week"}, "Not an ISO 8601 time"),
        ({"since": "2025-03-01T12:00:00"}, "Give the time zone"),
        ({"since": "{future}"}, "times more than 5 minutes in the future are refused"),
    ],
)
def test_changes_need_a_valid_since(api, query, message):
    if query.get("since") == "{future}":
        query = {"since": in_future(hours=1)}

    response = api.get(CHANGES, query)

    assert response.status_code == 400
    assert message in response.json()["since"][0]


def test_changes_refuse_unknown_query_parameters(api):
    response = api.get(CHANGES, {"since": AT, "collection": "favorites"})

    assert response.status_code == 400
    assert response.json()["collection"][0].startswith("Unknown field")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"device": "phone"}, "session_id"),
        ({"session_id": 7, "device": "phone"}, "session_id"),
        ({"session_id": "s" * 65, "device": "phone"}, "session_id"),
        ({"session_id": "a", "device": "phone", "ttl": 60}, "ttl"),
    ],
)
def test_a_bad_session_ping_is_refused_at_the_field(api, payload, field):
    response = api.post(PING, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_merge_past_the_playlist_limit_is_refused_whole_and_a_library_with_markers_goes_back_as_it_is(
    api, owner
):
    from devices.types import PLAYLISTS_LIMIT

    def playlist(n: int, **extra) -> dict:
        return {
            "local_id": f"p{n}", "name": f"P{n}", "description": "", "is_public": False, "items": [],
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z", **extra,
        }  # fmt: skip

    api.force_authenticate(owner)
    full = [playlist(n) for n in range(PLAYLISTS_LIMIT)]
    assert api.post(SYNC, {"playlists": full}, format="json").status_code == 200
    before = load_device_library(user=owner)

    over = api.post(SYNC, {"playlists": [playlist(PLAYLISTS_LIMIT)]}, format="json")

    assert over.status_code == 400 and "limit is 200" in over.json()["playlists"][0]
    assert load_device_library(user=owner) == before
    # Delete one and add one: 200 live and a marker; the answer is accepted back as it is.
    deleted = {**playlist(0), "removed_at": "2026-01-02T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}
    answer = api.post(SYNC, {"playlists": [deleted, playlist(PLAYLISTS_LIMIT)]}, format="json").json()
    assert len(answer["library"]["playlists"]) == PLAYLISTS_LIMIT + 1
    assert api.post(SYNC, {"playlists": answer["library"]["playlists"]}, format="json").status_code == 200
