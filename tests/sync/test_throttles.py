"""The imports limit (THROTTLE_RATES "imports"): the API's import and retry and the dashboard's
"Sync now" and "Retry" count together per listener; past the limit the API answers 429 with
Retry-After and a sentence, the page says the same sentence; other listeners are unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from sync.models import SyncEvent
from tests.support.throttles import ANCHOR, api_for, ask_twice, messages_of
from tests.accounts.factories import SpotifyCredentialFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db

IMPORT, PAGE_IMPORT = "/api/library/import/", "/sync/import/"
REFUSAL = "You have asked for 2 imports in the last hour; try again in 40 minutes."


@pytest.fixture
def listener():
    return SpotifyCredentialFactory().user


@pytest.fixture
def limited(throttle_rates, time_machine, queue):
    """Two imports an hour; the first asked at 09:00 and the second at 09:10, the next at 09:20."""
    throttle_rates(imports="2/hour")
    time_machine.move_to(ANCHOR, tick=False)
    return time_machine








def test_the_third_import_of_a_listener_is_a_429_with_retry_after_and_a_sentence(limited, listener):
    api = api_for(listener)
    ask_twice(limited, lambda: api.post(IMPORT))

    refused = api.post(IMPORT)

    assert (refused.status_code, refused["Retry-After"]) == (429, str(40 * 60))
    assert refused.json() == {"detail": REFUSAL}


def test_another_listener_imports_while_the_first_is_refused(limited, listener):
    api = api_for(listener)
    ask_twice(limited, lambda: api.post(IMPORT))
    assert api.post(IMPORT).status_code == 429

    other = SpotifyCredentialFactory().user

    assert api_for(other).post(IMPORT).status_code == 202
    assert SyncEvent.objects.filter(user=other).count() == 1


def test_a_refused_import_starts_nothing_and_the_limit_lifts_after_the_hour(limited, listener):
    api = api_for(listener)
    api.post(IMPORT)
    SyncEvent.objects.update(status="succeeded")  # done: the next import would be a new one
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    api.post(IMPORT)
    SyncEvent.objects.update(status="succeeded")

    assert api.post(IMPORT).status_code == 429
    assert SyncEvent.objects.filter(user=listener).count() == 2

    limited.move_to(ANCHOR + timedelta(minutes=60, seconds=1), tick=False)
    assert api.post(IMPORT).status_code == 202


def test_sync_now_on_the_dashboard_counts_toward_the_apis_limit(limited, listener, client):
    client.force_login(listener)
    ask_twice(limited, lambda: client.post(PAGE_IMPORT))

    assert api_for(listener).post(IMPORT).json() == {"detail": REFUSAL}


def test_after_the_apis_imports_sync_now_says_the_same_sentence_and_starts_nothing(limited, listener, client):
    api = api_for(listener)
    ask_twice(limited, lambda: api.post(IMPORT))
    SyncEvent.objects.update(status="succeeded")
    client.force_login(listener)

    response = client.post(PAGE_IMPORT)

    assert (response.status_code, response["Location"]) == (302, "/dashboard/")
    assert messages_of(response) == [REFUSAL]
    assert not SyncEvent.objects.filter(user=listener, status="queued").exists()


def test_retries_count_as_imports_on_the_api_and_the_page(limited, listener, client):
    failed = [SyncEventFactory(user=listener, failed=True) for _ in range(3)]
    client.force_login(listener)
    api = api_for(listener)
    api.post(f"/api/sync-events/{failed[0].pk}/retry/")
    SyncEvent.objects.filter(retry_of=failed[0]).update(status="failed")
    limited.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    client.post(f"/sync/events/{failed[1].pk}/retry/")
    SyncEvent.objects.filter(retry_of=failed[1]).update(status="failed")
    limited.move_to(ANCHOR + timedelta(minutes=20), tick=False)

    refused = api.post(f"/api/sync-events/{failed[2].pk}/retry/")
    page = client.post(f"/sync/events/{failed[2].pk}/retry/")

    assert (refused.status_code, refused.json()) == (429, {"detail": REFUSAL})
    assert messages_of(page)[-1] == REFUSAL  # after the message of the retry it did start
    assert not SyncEvent.objects.filter(retry_of=failed[2]).exists()


def test_asking_what_the_endpoint_allows_is_not_an_import(limited, listener):
    api = api_for(listener)
    for _ in range(3):
        assert api.options(IMPORT).status_code == 200
        assert api.get(IMPORT).status_code == 405

    assert api.post(IMPORT).status_code == 202


def test_anonymous_callers_are_still_refused_as_before(limited, client):
    assert APIClient().post(IMPORT).status_code == 401
    response = client.post(PAGE_IMPORT)
    assert response.status_code == 302 and response["Location"].startswith("/?next=")
