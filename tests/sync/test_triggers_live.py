"""The real sign-in flow through the sandbox queues the import; racing triggers start one run."""

from __future__ import annotations


import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from sync.models import SyncEvent
from core.runs import RunStatus
from sync.services import triggers
from tests.accounts.conftest import sign_in_through_sandbox
from tests.accounts.factories import SpotifyCredentialFactory
from tests.support.concurrency import race


@pytest.mark.django_db
def test_signing_in_through_spotify_queues_a_full_import_then_an_incremental_one(
    sandbox, queue, django_capture_on_commit_callbacks
):
    sandbox.configure(auto_approve=True)
    browser = Client(SERVER_NAME="127.0.0.1")

    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in_through_sandbox(browser).status_code == 302
    first = SyncEvent.objects.get()
    SyncEvent.objects.filter(pk=first.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    browser.logout()
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in_through_sandbox(browser).status_code == 302

    second = SyncEvent.objects.exclude(pk=first.pk).get()
    assert first.user == second.user == User.objects.get()
    assert (first.scope, first.trigger) == ("full", "sign_in")
    assert (second.scope, second.trigger) == ("incremental", "sign_in")
    assert queue.calls == [("sync.tasks.run_import", first.pk, 0), ("sync.tasks.run_import", second.pk, 0)]


@pytest.mark.postgres_only
@pytest.mark.parametrize("callers", [2, 20])
def test_concurrent_triggers_start_exactly_one_import(transactional_db, queue, callers):
    user = SpotifyCredentialFactory().user

    results = [
        (event.pk, created)
        for event, created in race(callers, lambda: triggers.request_import(user=user, trigger="button"))
    ]

    event = SyncEvent.objects.get(user=user)
    assert [pk for pk, _ in results] == [event.pk] * callers
    assert sum(created for _, created in results) == 1
    assert queue.calls == [("sync.tasks.run_import", event.pk, 0)]
    assert event.task_id == "task-1"
