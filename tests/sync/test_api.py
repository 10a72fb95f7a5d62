"""/api/library/import/ and /api/sync-events/: owner, stranger, anonymous; filters; schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sync.models import SyncEvent
from core.runs import RunStatus
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.sync.factories import SyncEventFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return SpotifyCredentialFactory().user


@pytest.fixture
def stranger():
    return SpotifyCredentialFactory().user


# --- POST /api/library/import/ -----------------------------------------------------------------
def test_posting_an_import_queues_one_and_answers_202_with_it(
    api, owner, queue, django_capture_on_commit_callbacks
):
    api.force_authenticate(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/library/import/", {"scope": "full"}, format="json")

    event = SyncEvent.objects.get(user=owner)
    assert response.status_code == 202
    assert response.json()["id"] == event.pk
    assert (event.trigger, event.scope, event.status) == ("api", "full", "queued")
    assert queue.calls == [("sync.tasks.run_import", event.pk, 0)]


def test_posting_an_import_while_one_runs_answers_200_with_the_running_one(api, owner, queue):
    running = SyncEventFactory(user=owner, running=True)
    api.force_authenticate(owner)

    response = api.post("/api/library/import/")

    assert response.status_code == 200
    assert response.json()["id"] == running.pk and response.json()["status"] == "running"
    assert SyncEvent.objects.filter(user=owner).count() == 1 and queue.calls == []


def test_a_strangers_running_import_does_not_stop_the_owners(api, owner, stranger, queue):
    SyncEventFactory(user=stranger, running=True)
    api.force_authenticate(owner)

    assert api.post("/api/library/import/").status_code == 202


def test_posting_an_import_with_an_api_token_works_for_scripts(api, owner, queue):
    token = Token.objects.create(user=owner)

    response = api.post("/api/library/import/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 202


def test_posting_an_import_without_a_spotify_connection_is_a_409_with_a_message(api, queue):
    api.force_authenticate(UserFactory())

    response = api.post("/api/library/import/")

    assert response.status_code == 409
    assert "Connect Spotify first" in response.json()["detail"]


def test_posting_an_unknown_scope_is_a_400(api, owner, queue):
    api.force_authenticate(owner)

    assert api.post("/api/library/import/", {"scope": "everything"}, format="json").status_code == 400


def test_anonymous_callers_cannot_start_or_see_imports(api, owner, queue):
    event = SyncEventFactory(user=owner)

    for response in (
        api.post("/api/library/import/"),
        api.get("/api/sync-events/"),
        api.get(f"/api/sync-events/{event.pk}/"),
        api.post(f"/api/sync-events/{event.pk}/retry/"),
    ):
        assert response.status_code == 401
    assert SyncEvent.objects.count() == 1


# --- GET /api/sync-events/ and /api/sync-events/{id}/ ----------------------------------------------
def test_the_owner_reads_an_event_with_progress_counters_and_summary(api, owner):
    event = SyncEventFactory(
        user=owner,
        running=True,
        spotify_requests=31,
        rate_limited=2,
        retries=3,
        playlists_total=8,
        playlists_done=2,
    )
    api.force_authenticate(owner)

    body = api.get(f"/api/sync-events/{event.pk}/").json()

    assert body["id"] == event.pk and body["status"] == "running" and body["kind"] == "import"
    assert body["progress"] == {"playlists_done": 2, "playlists_total": 8, "items_done": 120, "percent": 25}
    assert body["counters"] == {"spotify_requests": 31, "rate_limited": 2, "retries": 3}
    assert body["summary"] == "Importing: 2 of 8 playlists, 120 items so far."
    assert set(body) >= {
        "scope",
        "trigger",
        "created_at",
        "started_at",
        "finished_at",
        "resume_at",
        "error",
        "retry_of",
    }


def test_a_stranger_gets_404_for_the_owners_event(api, owner, stranger):
    event = SyncEventFactory(user=owner)
    api.force_authenticate(stranger)

    assert api.get(f"/api/sync-events/{event.pk}/").status_code == 404
    assert api.post(f"/api/sync-events/{event.pk}/retry/").status_code == 404


def test_the_list_has_only_the_callers_events_newest_first(api, owner, stranger):
    older = SyncEventFactory(user=owner, completed=True)
    newer = SyncEventFactory(user=owner, failed=True)
    SyncEventFactory(user=stranger)
    api.force_authenticate(owner)

    body = api.get("/api/sync-events/").json()

    assert body["count"] == 2
    assert [event["id"] for event in body["results"]] == [newer.pk, older.pk]


def test_the_list_filters_by_kind_and_status_and_refuses_unknown_values(api, owner):
    failed = SyncEventFactory(user=owner, failed=True)
    SyncEventFactory(user=owner, completed=True)
    SyncEventFactory(user=owner, kind="route", status=RunStatus.FAILED)
    api.force_authenticate(owner)

    body = api.get("/api/sync-events/", {"kind": "import", "status": "failed"}).json()

    assert [event["id"] for event in body["results"]] == [failed.pk]
    assert api.get("/api/sync-events/", {"status": "exploded"}).status_code == 400


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    api, owner, django_assert_max_num_queries, memory_cache
):
    for _ in range(60):
        SyncEventFactory(user=owner, completed=True)
    api.force_authenticate(owner)

    with django_assert_max_num_queries(3):
        first = api.get("/api/sync-events/").json()
    second = api.get(first["next"]).json()

    assert first["count"] == 60 and len(first["results"]) == 50 and len(second["results"]) == 10


# --- POST /api/sync-events/{id}/retry/ --------------------------------------------------------------
def test_the_owner_retries_a_failed_import_and_gets_201_with_the_new_one(
    api, owner, queue, django_capture_on_commit_callbacks
):
    failed = SyncEventFactory(user=owner, failed=True)
    api.force_authenticate(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/sync-events/{failed.pk}/retry/")

    assert response.status_code == 201
    assert response.json()["retry_of"] == failed.pk and response.json()["trigger"] == "retry"
    assert queue.calls == [("sync.tasks.run_import", response.json()["id"], 0)]


def test_retrying_a_completed_import_is_a_409_with_a_message(api, owner, queue):
    completed = SyncEventFactory(user=owner, completed=True)
    api.force_authenticate(owner)

    response = api.post(f"/api/sync-events/{completed.pk}/retry/")

    assert response.status_code == 409
    assert "only a failed or cancelled import can be retried" in response.json()["detail"]


def test_retrying_while_another_import_runs_is_a_409_naming_it(api, owner, queue):
    failed = SyncEventFactory(user=owner, failed=True)
    running = SyncEventFactory(user=owner, running=True)
    api.force_authenticate(owner)

    response = api.post(f"/api/sync-events/{failed.pk}/retry/")

    assert response.status_code == 409 and response.json()["active_event"] == running.pk


# --- the schema --------------------------------------------------------------------------------------
def test_the_schema_documents_202_for_a_new_import_and_200_for_the_running_one(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    responses = schema["paths"]["/api/library/import/"]["post"]["responses"]
    assert {"200", "202", "401", "409"} <= set(responses)
    assert "already queued or running" in responses["200"]["description"]
    for path in ("/api/sync-events/", "/api/sync-events/{id}/", "/api/sync-events/{id}/retry/"):
        assert path in schema["paths"]


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
