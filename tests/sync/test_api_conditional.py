"""Conditional and cached reads of GET /api/sync-events/: a page is answered from the cache, or
304, only while its rows (every column) and the clock its summaries read are the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.runs import RunStatus
from sync.models import SyncEvent
from tests.accounts.factories import UserFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db

LIST = "/api/sync-events/"


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def api(owner) -> APIClient:
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_an_unchanged_list_answers_304_and_a_running_imports_progress_is_fresh(api, owner):
    running = SyncEventFactory(user=owner, running=True)
    first = api.get(LIST)
    assert api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # Progress is written with update(): no timestamp says it changed.
    SyncEvent.objects.filter(pk=running.pk).update(playlists_done=9, items_done=480)
    after = api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    (event,) = after.json()["results"]
    assert event["progress"]["items_done"] == 480
    assert event["summary"] == "Importing: 9 of 10 playlists, 480 items so far."


def test_a_cancelled_import_and_a_new_one_show_at_once(api, owner):
    queued = SyncEventFactory(user=owner)
    first = api.get(LIST)

    assert api.post(f"/api/sync-events/{queued.pk}/cancel").status_code == 200
    cancelled = api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).json()["results"]
    SyncEventFactory(user=owner)
    both = api.get(LIST).json()

    assert [e["status"] for e in cancelled] == [RunStatus.CANCELLED]
    assert both["count"] == 2 and both["results"][0]["status"] == RunStatus.QUEUED


def test_a_paused_imports_summary_changes_when_the_pause_ends_with_no_write(api, owner, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    SyncEventFactory(user=owner, resume_at=now + timedelta(minutes=1))
    paused = api.get(LIST)
    assert paused.json()["results"][0]["summary"].startswith("Paused by Spotify's rate limit")

    time_machine.move_to(now + timedelta(minutes=2), tick=False)
    resumed = api.get(LIST, HTTP_IF_NONE_MATCH=paused["ETag"])

    assert resumed.status_code == 200
    assert resumed.json()["results"][0]["summary"] == "Queued: it starts as soon as a worker is free."


def test_a_stranger_never_gets_the_owners_304_or_cached_list(api, owner):
    SyncEventFactory(user=owner, completed=True)
    owners = api.get(LIST)

    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    theirs = stranger.get(LIST, HTTP_IF_NONE_MATCH=owners["ETag"])

    assert theirs.status_code == 200 and theirs.json()["count"] == 0


def test_anonymous_callers_get_401_even_with_the_owners_etag(api, owner):
    SyncEventFactory(user=owner)
    owners = api.get(LIST)

    assert APIClient().get(LIST, HTTP_IF_NONE_MATCH=owners["ETag"]).status_code == 401


def test_a_page_costs_its_count_and_rows_built_or_cached(
    api, owner, django_assert_max_num_queries, memory_cache
):
    for _ in range(60):
        SyncEventFactory(user=owner, completed=True, details={"skipped_nulls": 2})

    with django_assert_max_num_queries(2):
        first = api.get(LIST)
    with django_assert_max_num_queries(2):
        assert api.get(LIST).content == first.content
    with django_assert_max_num_queries(2):
        second = api.get(LIST, {"page": 2})

    summary = first.json()["results"][0]["summary"]
    assert summary.endswith("Spotify sent 2 empty entries (a missing row, artist or image), skipped.")
    assert len(second.json()["results"]) == 10 and second["ETag"] != first["ETag"]
