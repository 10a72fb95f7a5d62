"""An import whose playlist PostgreSQL rolled back in a deadlock goes on in a new turn instead of
failing with "an unexpected error"; a route run, whose Spotify writes sit outside its
transactions, still fails so the listener decides."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from core.runs import RunStatus
from library.models import Playlist
from routing.models import RouteRun
from spotify.runs import RunLedger, run_to_end
from sync.services import importer
from tests.routing.factories import BasePlaylistFactory, RouteRunFactory
from tests.support.db_errors import deadlock
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import RUN_IMPORT, connect, run_turn, spotify_library

pytestmark = pytest.mark.django_db


def test_an_import_that_lost_a_deadlock_goes_on_in_a_new_turn_and_completes(
    sandbox, queue, monkeypatch, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    listed = len(spotify_library(sandbox).playlists) + 1  # and Liked Songs
    event = SyncEventFactory(user=user)
    real, calls = importer.upsert_catalog, []

    def second_playlist_deadlocks(**rows):
        calls.append(rows)
        if len(calls) == 2:  # inside the second playlist's transaction, as PostgreSQL would
            raise deadlock()
        return real(**rows)

    monkeypatch.setattr(importer, "upsert_catalog", second_playlist_deadlocks)

    first = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert (first.status, first.error, first.claimed_by) == (RunStatus.QUEUED, "", "")
    # The first playlist's transaction committed and stays; the rolled-back one is not stored.
    assert Playlist.objects.filter(user=user).exclude(snapshot_id="").count() == 1
    assert first.playlists_done == 1
    assert [call[:2] for call in queue.of(RUN_IMPORT)] == [(RUN_IMPORT, event.pk)]  # sent again

    done = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert Playlist.objects.filter(user=user).exclude(snapshot_id="").count() == listed
    assert len(calls) == listed + 1  # the lost playlist written once more, nothing else twice


def test_a_route_run_that_lost_a_deadlock_fails_as_before():
    run = RouteRunFactory(base=BasePlaylistFactory(), running=True)

    def body() -> None:
        raise deadlock()

    with pytest.raises(OperationalError):
        run_to_end(ledger=RunLedger(event=run), body=body, unexpected="The route stopped unexpectedly.")

    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "The route stopped unexpectedly.")
    assert RouteRun.objects.filter(status=RunStatus.QUEUED).count() == 0
