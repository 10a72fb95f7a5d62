"""Starting routes (one active per base, retries, after an import) and the lock on set-up edits
while a route of the base is queued or running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import queues, runs
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, RouteRun, RouteRunKind
from routing.services.setup import (
    BaseBusy,
    add_child_playlist,
    delete_base,
    delete_child,
    reorder_children,
    update_base_options,
    update_child,
    update_child_filters,
)
from routing.services.triggers import (
    ENQUEUE_FAILED_REASON,
    RouteAlreadyActive,
    RouteNotPossible,
    RouteNotRetryable,
    request_route,
    retry_route,
)
from routing.services.auto_route import route_after_import

from core.runs import RunStatus
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.sync.factories import SyncEventFactory
from tests.routing.factories import RouteRunFactory
from tests.support.concurrency import race

pytestmark = pytest.mark.django_db

NOT_EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}


@pytest.fixture
def base() -> BasePlaylist:
    """A connected listener's base with two children."""
    user = SpotifyCredentialFactory().user
    base = BasePlaylistFactory(user=user)
    ChildPlaylistFactory(base=base, name="First")
    ChildPlaylistFactory(base=base, name="Second")
    return base


def route_event(base: BasePlaylist, status: str = RunStatus.QUEUED, **fields) -> RouteRun:
    return RouteRunFactory(base=base, status=status, **fields)


# --- requesting ---------------------------------------------------------------------------------
def test_a_second_route_request_for_a_base_returns_the_active_one_and_enqueues_once(
    base, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = request_route(base=base, trigger="button")
        second, created_again = request_route(base=base, trigger="api")

    assert (created, created_again) == (True, False) and second.pk == first.pk
    assert (first.kind, first.base_id, first.user_id) == (RouteRunKind.ROUTE, base.pk, base.user_id)
    assert queue.calls == [("routing.tasks.run_route", first.pk)]
    assert RouteRun.objects.get(pk=first.pk).task_id == "task-1"
    # Another base of the same user, or this one once its route finished, gets a new event.
    assert request_route(base=BasePlaylistFactory(user=base.user), trigger="button")[1] is True
    RouteRun.objects.filter(pk=first.pk).update(status=RunStatus.SUCCEEDED)
    assert request_route(base=base, trigger="button")[1] is True


@pytest.mark.parametrize("credential", ["none", "reconnect"])
def test_a_route_needs_a_usable_spotify_connection(queue, credential):
    user = SpotifyCredentialFactory(reconnect=True).user if credential == "reconnect" else None
    base = BasePlaylistFactory(user=user) if user else BasePlaylistFactory()

    with pytest.raises(RouteNotPossible, match="Spotify"):
        request_route(base=base, trigger="button")

    assert not RouteRun.objects.exists() and queue.calls == []


def test_a_route_the_broker_would_not_take_is_failed_with_a_reason_not_left_blocking(
    base, monkeypatch, django_capture_on_commit_callbacks
):
    def broken_broker(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queues, "async_task", broken_broker)
    with django_capture_on_commit_callbacks(execute=True):
        event, _ = request_route(base=base, trigger="button")

    event.refresh_from_db()
    assert (event.status, event.error) == (RunStatus.FAILED, ENQUEUE_FAILED_REASON)
    update_child_filters(child=base.children.first(), filters=NOT_EXPLICIT)  # not locked any more


def test_a_queued_route_whose_task_was_lost_is_enqueued_again_by_the_next_request(
    base, queue, django_capture_on_commit_callbacks
):
    stale = route_event(base, task_id="lost")
    RouteRun.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        again, created = request_route(base=base, trigger="button")

    assert (again.pk, created) == (stale.pk, False)
    assert queue.calls == [("routing.tasks.run_route", stale.pk)]


# --- retrying -----------------------------------------------------------------------------------
def test_a_failed_route_is_retried_as_a_new_route_of_the_same_base(
    base, queue, django_capture_on_commit_callbacks
):
    failed = route_event(base, status=RunStatus.FAILED, error="Spotify answered 502")

    with django_capture_on_commit_callbacks(execute=True):
        retry = retry_route(event=failed)

    assert (retry.kind, retry.base_id, retry.retry_of_id, retry.trigger) == (
        RouteRunKind.ROUTE, base.pk, failed.pk, "retry"
    )
    assert queue.calls == [("routing.tasks.run_route", retry.pk)]
    at = timezone.localtime(retry.created_at)
    named = f"the route of {at.day} {at:%b %Y, %H:%M}"
    with pytest.raises(RouteNotRetryable, match=f"already retried as {named}"):
        retry_route(event=failed)


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.QUEUED, RunStatus.RUNNING])
def test_only_a_failed_or_cancelled_route_can_be_retried(base, queue, status):
    event = route_event(base, status=status)
    with pytest.raises(RouteNotRetryable, match="only a failed or cancelled route"):
        retry_route(event=event)


def test_an_import_is_not_retried_as_a_route(base, queue):
    with pytest.raises(RouteNotRetryable, match="Only routes"):
        retry_route(event=SyncEventFactory(user=base.user, status=RunStatus.FAILED))


def test_a_retry_while_another_route_of_the_base_is_active_is_refused(base, queue):
    failed = route_event(base, status=RunStatus.FAILED)
    active = route_event(base, status=RunStatus.RUNNING)
    with pytest.raises(RouteAlreadyActive) as refused:
        retry_route(event=failed)
    assert refused.value.active.pk == active.pk


# --- after an import ----------------------------------------------------------------------------
def test_an_import_routes_only_the_automatic_bases_whose_playlist_changed(queue):
    user = SpotifyCredentialFactory().user
    automatic = BasePlaylistFactory(user=user, auto_route_after_import=True)
    unchanged_automatic = BasePlaylistFactory(user=user, auto_route_after_import=True)
    manual = BasePlaylistFactory(user=user)
    strangers = BasePlaylistFactory(auto_route_after_import=True)

    started = route_after_import(
        user_id=user.pk,
        changed_playlist_ids=[automatic.playlist_id, manual.playlist_id, strangers.playlist_id],
    )

    assert [(event.base_id, event.trigger) for event in started] == [(automatic.pk, "import")]
    assert not RouteRun.objects.filter(base__in=[unchanged_automatic, manual, strangers]).exists()


# --- the lock on set-up edits -------------------------------------------------------------------
def protected_operations(base: BasePlaylist) -> dict:
    first, second = base.children.order_by("position")
    other = PlaylistFactory(user=base.user, owner_spotify_id=base.user.spotify_credential.spotify_user_id)
    return {
        "update base options": lambda: update_base_options(base=base, first_match_only=True),
        "delete base": lambda: delete_base(base=base),
        "add child": lambda: add_child_playlist(
            base=base, spotify_id=other.spotify_id, name="New", mode=ChildMode.REBUILD, filters=NOT_EXPLICIT
        ),
        "rename child": lambda: update_child(child=first, name="Renamed"),
        "change child mode": lambda: update_child(child=first, mode=ChildMode.ADD_ONLY),
        "edit child filters": lambda: update_child_filters(child=first, filters=NOT_EXPLICIT),
        "reorder children": lambda: reorder_children(base=base, child_ids=[second.pk, first.pk]),
        "delete child": lambda: delete_child(child=second),
    }


def snapshot(base: BasePlaylist) -> tuple:
    row = BasePlaylist.objects.filter(pk=base.pk).values("first_match_only", "auto_route_after_import").first()
    children = list(ChildPlaylist.objects.filter(base=base).values_list("name", "mode", "position", "filters"))
    return row, children


OPERATIONS = [
    "update base options",
    "delete base",
    "add child",
    "rename child",
    "change child mode",
    "edit child filters",
    "reorder children",
    "delete child",
]


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_set_up_edit_is_refused_while_the_base_routes_and_nothing_changes(base, status, operation):
    active = route_event(base, status=status)
    before = snapshot(base)

    with pytest.raises(BaseBusy) as refused:
        protected_operations(base)[operation]()

    assert refused.value.active.pk == active.pk
    at = timezone.localtime(active.created_at)
    assert f"the route of {at.day} {at:%b %Y, %H:%M}" in str(refused.value)
    assert "Wait for it to finish" in str(refused.value)
    assert snapshot(base) == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_same_edits_go_through_once_the_route_finished(base, operation):
    route_event(base, status=RunStatus.SUCCEEDED)
    route_event(BasePlaylistFactory(user=base.user), status=RunStatus.RUNNING)  # another base's
    before = snapshot(base)

    protected_operations(base)[operation]()

    assert snapshot(base) != before


@pytest.mark.postgres_only
@pytest.mark.parametrize("callers", [2, 20])
def test_concurrent_route_requests_start_exactly_one_route(transactional_db, queue, callers):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)

    results = [
        (event.pk, created) for event, created in race(callers, lambda: request_route(base=base, trigger="api"))
    ]

    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert RouteRun.objects.filter(kind=RouteRunKind.ROUTE, base=base).count() == 1
    assert len(queue.calls) == 1
