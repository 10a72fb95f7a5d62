"""The edges of an import's turns, each found by a review: every turn moves the import on, a turn
is not one playlist when the listing is slow, one import counts one missed listing however many
turns it takes, a stale task claims nothing, the progress never goes back, pages read ahead past a
playlist with no planned pages are not read twice, and a cancelled import's changes still reach
the next one."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.utils import timezone

from core.runs import RunStatus, cancel
from library.models import Playlist
from spotify.reader import SpotifyReader
from sync.models import SyncEvent
from sync.services import cleanup, importer
from sync.services.triggers import Trigger, request_import
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import (
    ITEMS_ROUTE,
    RUN_IMPORT,
    connect,
    import_library,
    pages,
    requests_since,
    route_counts,
    run_turn,
    someone_waiting,
    spotify_library,
)

pytestmark = pytest.mark.django_db


def edit_every_playlist(sandbox) -> list[str]:
    library = spotify_library(sandbox)
    ids = [obj["id"] for obj in library.playlists]
    donor = [row["item"]["uri"] for row in library.items[ids[-1]][:2]]
    for playlist_id in ids:
        sandbox.mutate_playlist(playlist_id, op="add", uris=donor)
    return ids


def run_to_end(event_id: int, capture, *, most: int = 12) -> SyncEvent:
    for _ in range(most):
        event = run_turn(event_id, capture)
        if event.status != RunStatus.QUEUED:
            return event
    raise AssertionError(f"import #{event_id} still queued after {most} turns")


def test_a_playlist_that_stays_unreadable_does_not_stop_every_turn_from_moving_on(
    sandbox, sliced, queue, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    import_library(user)
    mix, *_ = edit_every_playlist(sandbox)
    # Listed, but its items answer 404 every time: skipped, its new snapshot never stored.
    sandbox.fail_next(method="GET", path=f"/v1/playlists/{mix}/items", status=404, count=100)
    someone_waiting()
    event = SyncEventFactory(user=user)

    done = run_to_end(event.pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.playlists_changed == 5  # all but Mix, which the next import tries again


def test_liked_songs_changing_between_turns_is_not_read_again_by_every_turn(
    sandbox, sliced, queue, monkeypatch, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    import_library(user)
    edit_every_playlist(sandbox)
    real, likes = importer.liked_songs_record, iter(range(100))

    def liked(**kwargs):  # the listener likes a song between every two turns
        record = real(**kwargs)
        return dataclasses.replace(record, snapshot_id=f"{record.snapshot_id}:{next(likes)}")

    monkeypatch.setattr(importer, "liked_songs_record", liked)
    someone_waiting()

    done = run_to_end(SyncEventFactory(user=user).pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.playlists_changed == 7  # Liked Songs once, and the six playlists


def test_a_slow_listing_does_not_use_up_the_turn(sandbox, sliced, queue, django_capture_on_commit_callbacks):
    sliced.IMPORT_TURN_SECONDS = 1
    user = connect(sandbox)
    # A big library's listing takes many pages; here one slow page, longer than the slice.
    sandbox.fail_next(method="GET", path="/v1/me/playlists", kind="latency", latency_ms=1200, count=100)
    someone_waiting()

    first = run_turn(SyncEventFactory(user=user).pk, django_capture_on_commit_callbacks)

    # The slice starts after the listing and lasts at least as long: more than one playlist.
    assert first.playlists_changed > 1


def test_a_playlist_missing_from_the_listing_is_marked_once_by_one_import_however_many_turns_it_takes(
    sandbox, sliced, queue, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    import_library(user)
    edit_every_playlist(sandbox)
    drafts = Playlist.objects.get(user=user, name="Drafts")
    sandbox.mutate_playlist(drafts.spotify_id, op="delete")
    someone_waiting()

    done = run_to_end(SyncEventFactory(user=user).pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert done.claims > 1
    # One miss, one import: marked "not seen on Spotify", removed only by the next import's miss.
    drafts.refresh_from_db()
    assert drafts.missing_imports == 1
    assert done.details["listing"]["not_seen"] == 1


def test_a_stale_task_of_an_earlier_turn_claims_nothing(
    sandbox, sliced, queue, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    someone_waiting()
    event = SyncEventFactory(user=user)
    run_turn(event.pk, django_capture_on_commit_callbacks, turn=0)  # gives its turn: task (pk, 1)
    # It waits at the back of a long queue; the sweep takes it for lost and sends it again.
    SyncEvent.objects.filter(pk=event.pk).update(enqueued_at=timezone.now() - timedelta(minutes=16))
    assert cleanup.requeue_lost_runs() == [event.pk]
    assert queue.of(RUN_IMPORT) == [(RUN_IMPORT, event.pk, 1), (RUN_IMPORT, event.pk, 1)]

    run_turn(event.pk, django_capture_on_commit_callbacks, turn=1)  # the sweep's copy: a turn
    after = SyncEvent.objects.get(pk=event.pk)
    stale = run_turn(event.pk, django_capture_on_commit_callbacks, turn=1)  # the first copy

    assert (after.claims, stale.claims, stale.spotify_requests) == (2, 2, after.spotify_requests)


def test_the_progress_of_an_import_between_turns_never_goes_back(
    sandbox, sliced, queue, monkeypatch, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    someone_waiting()
    event = SyncEventFactory(user=user)
    done_after_first = run_turn(event.pk, django_capture_on_commit_callbacks).playlists_done
    seen, real = [], SpotifyReader.playlists

    def listing(self):
        seen.append(SyncEvent.objects.get(pk=event.pk).playlists_done)  # what the page's polls show
        return real(self)

    monkeypatch.setattr(SpotifyReader, "playlists", listing)
    second = run_turn(event.pk, django_capture_on_commit_callbacks)

    assert done_after_first >= 1
    assert seen == [done_after_first]
    assert second.playlists_done > done_after_first


def test_pages_read_ahead_past_a_playlist_listed_without_items_are_not_read_twice(
    sandbox, sliced, queue, monkeypatch, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    library = spotify_library(sandbox)
    real_record = importer.playlist_record

    def record(obj, **kwargs):
        listed = real_record(obj, **kwargs)
        if listed.name == "Shared Road Trip":  # listed without an items reference: no page planned
            listed = dataclasses.replace(listed, items_total=0, items_listed=False)
        return listed

    real_items, written = importer.LibraryImport._import_items, []

    def import_items(self, record, **kwargs):
        real_items(self, record, **kwargs)
        written.append(record.name)
        if len(written) == 1:  # another listener starts waiting once Liked Songs is written
            someone_waiting()

    monkeypatch.setattr(importer, "playlist_record", record)
    monkeypatch.setattr(importer.LibraryImport, "_import_items", import_items)
    event = SyncEventFactory(user=user)
    before = route_counts(sandbox)

    done = run_to_end(event.pk, django_capture_on_commit_callbacks)

    assert done.status == RunStatus.SUCCEEDED, done.error
    sent = requests_since(before, sandbox)
    assert sent[ITEMS_ROUTE] == sum(pages(library.total(obj["id"]), 50) for obj in library.playlists)


def test_an_import_cancelled_between_turns_leaves_its_changes_for_the_next_import_to_announce(
    sandbox, sliced, queue, heard, django_capture_on_commit_callbacks
):
    user = connect(sandbox)
    waiting = someone_waiting()
    event = SyncEventFactory(user=user)
    first = run_turn(event.pk, django_capture_on_commit_callbacks)
    assert first.status == RunStatus.QUEUED and first.playlists_changed >= 1
    written_first = list(first.details["changed_playlist_ids"])
    assert cancel(first)
    waiting.delete()

    with django_capture_on_commit_callbacks(execute=True):
        following, created = request_import(user=user, trigger=Trigger.BUTTON)
    done = run_to_end(following.pk, django_capture_on_commit_callbacks)

    assert created and done.status == RunStatus.SUCCEEDED, done.error
    (call,) = heard
    assert set(written_first) <= set(call["changed_playlist_ids"])
    stored = Playlist.objects.filter(user=user).values_list("pk", flat=True)
    assert sorted(call["changed_playlist_ids"]) == sorted(stored)
