"""The device sync limit (THROTTLE_RATES "device_sync"): a library sync and a one-collection PUT
do the same merge and share one per-listener count; past it, 429 with Retry-After and a sentence,
and nothing is merged; other listeners, session pings and "what changed" reads are not counted.
No page merges a library (the devices page only reads), so the API is the only path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from devices.services import load_device_library
from tests.support.throttles import ANCHOR, api_for
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SYNC, CHANGES, PING = "/api/me/library/sync", "/api/me/library/changes", "/api/me/session/ping"
AT = "2026-03-01T12:00:00Z"
REFUSAL = "You have synced your library from your devices 2 times in the last hour; try again in 40 minutes."


@pytest.fixture
def limited(throttle_rates, time_machine):
    """Two merges an hour; the test syncs at 09:00 and 09:10, then asks at 09:20."""
    throttle_rates(device_sync="2/hour")
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine




def favorite(n: int) -> dict:
    return {"track": f"track{n:017d}", "title": f"Song {n}", "artist": "Band", "added_at": AT}


def sync(api, n: int = 1):
    return api.post(SYNC, {"favorites": [favorite(n)]}, format="json")


def sync_twice(clock, api) -> None:
    assert sync(api, 1).status_code == 200
    clock.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    assert sync(api, 2).status_code == 200
    clock.move_to(ANCHOR + timedelta(minutes=20), tick=False)


def test_the_third_sync_of_a_listener_is_a_429_with_retry_after_a_sentence_and_nothing_merged(limited):
    listener = UserFactory()
    api = api_for(listener)
    sync_twice(limited, api)

    refused = sync(api, 3)

    assert (refused.status_code, refused["Retry-After"], refused.json()) == (
        429, str(40 * 60), {"detail": REFUSAL},
    )  # fmt: skip
    assert len(load_device_library(user=listener).favorites) == 2


def test_a_one_collection_put_counts_with_the_syncs(limited):
    api = api_for(UserFactory())
    api.put("/api/me/favorites", [favorite(1)], format="json")
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    sync(api, 2)
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    refused = api.put("/api/me/favorites", [favorite(3)], format="json")

    assert (refused.status_code, refused.json()) == (429, {"detail": REFUSAL})


def test_another_listener_syncs_while_the_first_is_refused(limited):
    api = api_for(UserFactory())
    sync_twice(limited, api)

    assert sync(api).status_code == 429
    assert sync(api_for(UserFactory())).status_code == 200


def test_session_pings_and_change_reads_are_not_counted(limited):
    api = api_for(UserFactory())
    sync_twice(limited, api)
    assert sync(api).status_code == 429

    assert api.post(PING, {"session_id": "phone-1", "device": "Phone"}, format="json").status_code == 200
    assert api.get(f"{CHANGES}?since={AT}").status_code == 200


def test_anonymous_callers_are_still_refused_with_401(limited):
    assert APIClient().post(SYNC, {}, format="json").status_code == 401
    assert APIClient().put("/api/me/favorites", [], format="json").status_code == 401
