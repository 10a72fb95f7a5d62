"""Starting imports: sign-in, retries, one active import per user, enqueue after commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import queues, runs
from accounts.services import on_spotify_sign_in
from sync.models import ImportScope, SyncEvent
from core.runs import RunStatus
from sync.services import triggers
from sync.services.import_state import CHANGED_PLAYLISTS, FULL_SCOPE_DONE, RENAMED_PLAYLISTS
from sync.services.triggers import (
    ImportAlreadyActive,
    ImportNotPossible,
    ImportNotRetryable,
    request_import,
    retry_import,
)
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return SpotifyCredentialFactory().user


def test_a_new_listeners_sign_in_queues_a_full_import_and_enqueues_it_once_committed(
    user, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        on_spotify_sign_in(user=user, created=True)
        assert queue.calls == []  # not before the event is committed

    event = SyncEvent.objects.get(user=user)
    assert (event.kind, event.status, event.scope, event.trigger) == ("import", "queued", "full", "sign_in")
    assert queue.calls == [("sync.tasks.run_import", event.pk, 0)]
    assert event.task_id == "task-1"


def test_a_returning_listeners_sign_in_queues_an_incremental_import(
    user, queue, django_capture_on_commit_callbacks
):
    SyncEventFactory(user=user, completed=True)

    with django_capture_on_commit_callbacks(execute=True):
        on_spotify_sign_in(user=user, created=False)

    event = SyncEvent.objects.filter(user=user, status=RunStatus.QUEUED).get()
    assert (event.scope, event.trigger) == ("incremental", "sign_in")
    assert queue.calls == [("sync.tasks.run_import", event.pk, 0)]


def test_signing_in_while_an_import_runs_starts_nothing_new(user, queue, django_capture_on_commit_callbacks):
    running = SyncEventFactory(user=user, running=True)

    with django_capture_on_commit_callbacks(execute=True):
        on_spotify_sign_in(user=user, created=False)

    assert list(SyncEvent.objects.filter(user=user)) == [running]
    assert queue.calls == []


def test_a_failing_trigger_never_breaks_the_sign_in(queue, caplog, django_capture_on_commit_callbacks):
    user = UserFactory()  # no Spotify credential: the import refuses to start

    with django_capture_on_commit_callbacks(execute=True):
        on_spotify_sign_in(user=user, created=True)

    assert not SyncEvent.objects.exists()
    assert "Could not start the import" in caplog.text


def test_a_second_trigger_gets_the_active_import_and_enqueues_nothing(
    user, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, first_created = request_import(user=user, trigger="button")
        second, second_created = request_import(user=user, trigger="api", scope=ImportScope.FULL)

    assert (first_created, second_created) == (True, False)
    assert second.pk == first.pk and second.trigger == "button"
    assert len(queue.calls) == 1


def test_without_a_scope_the_first_import_is_full_and_later_ones_incremental(user, queue):
    first, _ = request_import(user=user, trigger="button")
    SyncEvent.objects.filter(pk=first.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now())

    second, _ = request_import(user=user, trigger="button")

    assert (first.scope, second.scope) == (ImportScope.FULL, ImportScope.INCREMENTAL)


def test_other_users_imports_do_not_block_this_users(user, queue):
    SyncEventFactory(running=True)  # someone else's

    event, created = request_import(user=user, trigger="button")

    assert created and event.user == user


@pytest.mark.parametrize(
    ("credential", "message"),
    [({"reconnect": True}, "sign in with Spotify again"), (None, "Connect Spotify first")],
    ids=["reconnect-needed", "not-connected"],
)
def test_an_import_needs_a_usable_spotify_connection(queue, credential, message):
    user = SpotifyCredentialFactory(**credential).user if credential else UserFactory()

    with pytest.raises(ImportNotPossible, match=message):
        request_import(user=user, trigger="button")

    assert not SyncEvent.objects.exists() and queue.calls == []


def test_a_rate_limited_user_can_still_queue_an_import(queue):
    user = SpotifyCredentialFactory(rate_limited=True).user

    event, created = request_import(user=user, trigger="button")

    assert created and event.status == RunStatus.QUEUED


def test_an_import_the_broker_would_not_take_is_failed_with_a_reason_not_left_blocking(
    user, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_broker(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queues, "async_task", broken_broker)

    with django_capture_on_commit_callbacks(execute=True):
        event, _ = request_import(user=user, trigger="button")

    event.refresh_from_db()
    assert event.status == RunStatus.FAILED
    assert event.error == triggers.ENQUEUE_FAILED_REASON


def test_a_queued_import_whose_task_was_lost_is_enqueued_again_by_the_next_trigger(
    user, queue, django_capture_on_commit_callbacks
):
    stale = SyncEventFactory(user=user, task_id="lost")
    SyncEvent.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh_user = SpotifyCredentialFactory().user
    SyncEventFactory(user=fresh_user)

    with django_capture_on_commit_callbacks(execute=True):
        again, created = request_import(user=user, trigger="button")
        request_import(user=fresh_user, trigger="button")

    assert again.pk == stale.pk and not created
    assert queue.calls == [("sync.tasks.run_import", stale.pk, 0)]  # not the fresh one
    assert SyncEvent.objects.get(pk=stale.pk).task_id == "task-1"


def test_an_import_paused_by_a_rate_limit_is_not_enqueued_again_before_it_resumes(user, queue):
    paused = SyncEventFactory(user=user, resume_at=timezone.now() + timedelta(hours=2))
    SyncEvent.objects.filter(pk=paused.pk).update(created_at=timezone.now() - timedelta(hours=1))

    request_import(user=user, trigger="button")

    assert queue.calls == []


@pytest.mark.parametrize("status", [RunStatus.FAILED, RunStatus.CANCELLED])
def test_retrying_a_failed_or_cancelled_import_starts_a_new_one_pointing_back(
    user, queue, status, django_capture_on_commit_callbacks
):
    failed = SyncEventFactory(user=user, failed=True, status=status, scope=ImportScope.FULL)

    with django_capture_on_commit_callbacks(execute=True):
        retry = retry_import(event=failed)

    assert retry.pk != failed.pk
    assert (retry.retry_of, retry.trigger, retry.scope, retry.status) == (failed, "retry", "full", "queued")
    assert queue.calls == [("sync.tasks.run_import", retry.pk, 0)]


def test_retrying_a_full_import_skips_the_playlists_it_already_replaced(user, queue):
    failed = SyncEventFactory(
        user=user, failed=True, scope=ImportScope.FULL, details={FULL_SCOPE_DONE: ["liked-songs", "p1"]}
    )
    incremental = SyncEventFactory(user=user, failed=True, details={FULL_SCOPE_DONE: ["p1"]})

    full_retry = retry_import(event=failed)
    SyncEvent.objects.filter(pk=full_retry.pk).update(status=RunStatus.FAILED)
    incremental_retry = retry_import(event=incremental)

    assert full_retry.details == {FULL_SCOPE_DONE: ["liked-songs", "p1"]}
    assert incremental_retry.details == {}


def test_a_retry_announces_the_playlists_the_failed_run_changed_or_found_renamed(user, queue):
    # Committed by the failed run, so unchanged for the retry: it must still announce them.
    earlier = {CHANGED_PLAYLISTS: [3, 5], RENAMED_PLAYLISTS: ["p1"], "listing": {"complete": True}}
    failed = SyncEventFactory(user=user, failed=True, details=earlier)

    retry = retry_import(event=failed)

    assert retry.details == {CHANGED_PLAYLISTS: [3, 5], RENAMED_PLAYLISTS: ["p1"]}


@pytest.mark.parametrize("trait", ["running", "completed"])
def test_retrying_an_import_that_did_not_fail_is_refused_with_a_message(user, queue, trait):
    event = SyncEventFactory(user=user, **{trait: True})

    with pytest.raises(ImportNotRetryable, match="only a failed or cancelled import can be retried"):
        retry_import(event=event)

    assert SyncEvent.objects.count() == 1 and queue.calls == []


def test_a_queued_import_cannot_be_retried_either(user, queue):
    with pytest.raises(ImportNotRetryable, match="is queued"):
        retry_import(event=SyncEventFactory(user=user))


def test_an_import_is_retried_only_once(user, queue):
    failed = SyncEventFactory(user=user, failed=True)
    first = retry_import(event=failed)
    SyncEvent.objects.filter(pk=first.pk).update(status=RunStatus.FAILED)

    with pytest.raises(ImportNotRetryable, match=f"already retried as import #{first.pk}"):
        retry_import(event=failed)


def test_retrying_while_another_import_is_active_is_a_conflict_naming_it(user, queue):
    failed = SyncEventFactory(user=user, failed=True)
    running = SyncEventFactory(user=user, running=True)

    with pytest.raises(ImportAlreadyActive) as raised:
        retry_import(event=failed)

    assert raised.value.active == running
    assert SyncEvent.objects.filter(user=user).count() == 2


def test_a_stale_copy_of_an_event_is_judged_by_its_current_status(user, queue):
    event = SyncEventFactory(user=user, failed=True)
    SyncEvent.objects.filter(pk=event.pk).update(status=RunStatus.SUCCEEDED)

    with pytest.raises(ImportNotRetryable):
        retry_import(event=event)  # the object in hand still says "failed"
