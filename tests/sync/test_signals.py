"""An import announces itself with sync.signals.import_completed: once, after it is committed, with
what its listeners need; a listener that raises is logged and never fails the import."""

from __future__ import annotations

import logging

import pytest

from library.models import Playlist
from sync.models import SyncEvent
from core.runs import RunStatus
from sync.signals import import_completed
from tests.accounts.factories import UserFactory
from tests.sync.import_support import connect, import_library

pytestmark = pytest.mark.django_db


def test_an_import_announces_itself_once_and_only_after_it_is_committed(
    sandbox, queue, heard, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert heard == []  # not while the import's transaction is open
    for callback in pending:
        callback()

    assert len(heard) == 1
    (call,) = heard
    assert (call["sender"], call["user_id"], call["event_id"]) == (SyncEvent, user.pk, event.pk)
    # A first import: every playlist it stored is new, and none was renamed.
    stored = Playlist.objects.filter(user=user).values_list("pk", flat=True)
    assert sorted(call["changed_playlist_ids"]) == sorted(stored)
    assert call["renamed_spotify_ids"] == []


def test_a_listener_that_raises_never_fails_the_import_and_the_next_ones_still_hear_it(
    sandbox, queue, django_capture_on_commit_callbacks, caplog
):
    heard_after: list[int] = []

    def broken(sender, **kwargs) -> None:
        raise RuntimeError("listener down")

    def after(sender, *, event_id: int, **kwargs) -> None:
        heard_after.append(event_id)

    # Connected after the apps' own listeners, the broken one first.
    import_completed.connect(broken, dispatch_uid="test.broken")
    import_completed.connect(after, dispatch_uid="test.after")
    try:
        user = connect(sandbox)
        with caplog.at_level(logging.ERROR, logger="sync.signals"):
            with django_capture_on_commit_callbacks(execute=True):
                event = import_library(user)
    finally:
        import_completed.disconnect(dispatch_uid="test.broken")
        import_completed.disconnect(dispatch_uid="test.after")

    assert SyncEvent.objects.get(pk=event.pk).status == RunStatus.SUCCEEDED
    assert heard_after == [event.pk]
    assert "listener down" in caplog.text and f"import #{event.pk}" in caplog.text


def test_a_failed_import_announces_nothing(queue, heard, django_capture_on_commit_callbacks):
    without_spotify = UserFactory()  # no credential: the import fails before reading anything
    with django_capture_on_commit_callbacks(execute=True):
        event = import_library(without_spotify)

    assert event.status == RunStatus.FAILED
    assert heard == []
