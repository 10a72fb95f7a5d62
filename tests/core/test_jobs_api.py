"""/api/tasks/{id}/: a task the caller started, with its status and result or error. Owner,
stranger, anonymous, unknown id, system job."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from core.models import JobStatus
from tests.core.factories import JobRecordFactory
from tests.accounts.factories import UserFactory, api_token_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory()


def _url(task_id: str) -> str:
    return f"/api/tasks/{task_id}"


def test_the_owner_reads_a_finished_task_with_its_result_and_duration(api, owner):
    record = JobRecordFactory(user=owner, result="import #7: completed")
    api.force_authenticate(owner)

    response = api.get(_url(record.task_id))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == record.task_id and body["label"] == "Import"
    assert (body["status"], body["result"], body["error"]) == ("succeeded", "import #7: completed", None)
    assert body["duration_seconds"] == pytest.approx(2.0)
    assert body["enqueued_at"] and body["started_at"] and body["finished_at"]


def test_a_failed_task_shows_its_error_without_the_traceback(api, owner):
    record = JobRecordFactory(user=owner, failed=True)
    api.force_authenticate(owner)

    body = api.get(_url(record.task_id)).json()

    assert (body["status"], body["result"]) == ("failed", None)
    assert body["error"] == "Spotify answered 502"


def test_a_queued_task_has_no_times_but_its_enqueue(api, owner):
    record = JobRecordFactory(user=owner, queued=True, ago=timedelta(0))
    api.force_authenticate(owner)

    body = api.get(_url(record.task_id)).json()

    assert body["status"] == JobStatus.QUEUED
    assert (body["started_at"], body["finished_at"], body["duration_seconds"]) == (None, None, None)


def test_another_listeners_task_is_not_found(api, owner):
    record = JobRecordFactory(user=UserFactory())
    api.force_authenticate(owner)

    assert api.get(_url(record.task_id)).status_code == 404


def test_a_system_job_and_an_unknown_id_are_not_found(api, owner):
    system = JobRecordFactory(user=None, func="core.tasks.cluster_heartbeat", label="Cluster heartbeat")
    api.force_authenticate(owner)

    assert api.get(_url(system.task_id)).status_code == 404
    assert api.get(_url("0" * 32)).status_code == 404


def test_anonymous_callers_get_401(api, owner):
    record = JobRecordFactory(user=owner)

    assert api.get(_url(record.task_id)).status_code == 401


def test_an_api_token_reads_the_task_too(api, owner):
    secret = api_token_secret(owner)
    record = JobRecordFactory(user=owner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert api.get(_url(record.task_id)).json()["id"] == record.task_id
