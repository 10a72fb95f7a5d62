"""Conditional and cached reads of GET /api/me/library/changes: a polling client gets 304 while
its library is unchanged, the change as soon as any device writes one, never another listener's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.devices.test_api import (
    AT,
    CHANGES,
    COLLECTION_URLS,
    LATER,
    SYNC,
    client_for,
    favorite,
    play,
    playlist,
    track,
)
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

SINCE = {"since": "2000-01-01T00:00:00Z"}
# One write per collection, each newer than what `synced` stored.
WRITES = {
    "favorites": [favorite(3, added_at=LATER)],
    "history": [play(2, at=LATER)],
    "queue": {"items": [{"track": track(5), "title": "Song 5"}], "updated_at": LATER, "device": "Phone"},
    "playlists": [playlist(local_id="p2", name="Night", created_at=LATER, updated_at=LATER)],
    "preferences": {"shuffle": True, "repeat": "all", "volume": 0.5, "updated_at": LATER},
    "recent_searches": [{"query": "Kraftwerk", "searched_at": LATER}],
}


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def api(owner) -> APIClient:
    return client_for(owner)


@pytest.fixture
def synced(api) -> dict:
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


def test_a_polling_client_gets_304_until_another_device_writes_then_the_change(api, owner, synced):
    first = api.get(CHANGES, SINCE).json()
    poll = {"since": first["server_time"]}
    quiet = api.get(CHANGES, poll)
    assert quiet.status_code == 200 and quiet.json()["library"]["favorites"] == []
    assert api.get(CHANGES, poll, HTTP_IF_NONE_MATCH=quiet["ETag"]).status_code == 304

    other_device = APIClient()
    other_device.force_authenticate(owner)
    assert other_device.put(COLLECTION_URLS["favorites"], WRITES["favorites"], format="json").status_code == 200
    after = api.get(CHANGES, poll, HTTP_IF_NONE_MATCH=quiet["ETag"])

    assert after.status_code == 200 and after["ETag"] != quiet["ETag"]
    assert [f["track"] for f in after.json()["library"]["favorites"]] == [track(3)]
    assert after.json()["server_time"] > first["server_time"]


@pytest.mark.parametrize("collection", list(WRITES))
def test_a_write_to_any_collection_makes_the_changes_fresh(api, synced, collection):
    before = api.get(CHANGES, SINCE)

    written = api.put(COLLECTION_URLS[collection], WRITES[collection], format="json")
    after = api.get(CHANGES, SINCE, HTTP_IF_NONE_MATCH=before["ETag"])

    assert written.status_code == 200, written.content
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert after.json()["library"][collection] == written.json()
    assert after.json()["library"][collection] != before.json()["library"][collection]


def test_a_stranger_never_gets_the_owners_304_or_cached_changes(api, synced):
    owners = api.get(CHANGES, SINCE)

    theirs = client_for(UserFactory()).get(CHANGES, SINCE, HTTP_IF_NONE_MATCH=owners["ETag"])

    assert theirs.status_code == 200 and theirs["ETag"] != owners["ETag"]
    assert theirs.json()["library"]["favorites"] == [] and theirs.json()["library"]["playlists"] == []


def test_anonymous_callers_get_401_even_with_the_owners_etag(api, synced):
    owners = api.get(CHANGES, SINCE)

    assert APIClient().get(CHANGES, SINCE, HTTP_IF_NONE_MATCH=owners["ETag"]).status_code == 401


def test_cached_changes_cost_the_token_and_one_version_query(
    api, synced, django_assert_max_num_queries, memory_cache
):
    # Built: the token, the version, then the library read under the listener's lock.
    with django_assert_max_num_queries(12):
        first = api.get(CHANGES, SINCE)
    with django_assert_max_num_queries(2):
        assert api.get(CHANGES, SINCE).content == first.content
    with django_assert_max_num_queries(2):
        assert api.get(CHANGES, SINCE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
