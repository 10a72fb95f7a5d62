"""When Spotify fails mid-import: what stays, what the event says, and how a later run continues."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import SpotifyCredential, SpotifyPause
from library.models import LIKED_SONGS_ID, Playlist
from core.runs import RunStatus
from spotify.reader import SpotifyReader
from sync.models import ImportScope, SyncEvent
from sync.services.import_state import resume_schedule_name
from sync.services.importer import UNEXPECTED_MESSAGE, run_import
from spotify.runs import RECONNECT_MESSAGE
from tests.sync.factories import SyncEventFactory
from tests.sync.import_support import (
    ITEMS_ROUTE,
    LIKED_ROUTE,
    LISTING_ROUTE,
    assert_mirror_matches,
    connect,
    import_library,
    item_ids,
    pages,
    requests_since,
    route_counts,
    set_mode,
    spotify_library,
)

pytestmark = pytest.mark.django_db

SAVED_SO_FAR = "Playlists already read are kept; a retry goes on from there."


@pytest.fixture
def edited_everywhere(sandbox, settings):
    """`other` imported once, then every playlist edited on Spotify, so each needs reading again.

    Returns (user, playlist ids in Spotify's order, the mirror's state per playlist before).
    The order is Mix, Rainy Mondays, Road Trip, Drafts, Gym 2025 (62 items: 2 pages), Shared.
    """
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    import_library(user)
    library = spotify_library(sandbox)
    ids = [obj["id"] for obj in library.playlists]
    donor = [row["item"]["uri"] for row in library.items[ids[-1]][:2]]
    for playlist_id in ids:
        sandbox.mutate_playlist(playlist_id, op="add", uris=donor)
    before = {p.spotify_id: (p.snapshot_id, item_ids(p)) for p in Playlist.objects.filter(user=user)}
    return user, ids, before


def fail_second_page(sandbox, playlist_id: str, **fault) -> None:
    """The next request for this playlist's items passes, the ones after it get `fault`."""
    path = f"/v1/playlists/{playlist_id}/items"
    sandbox.fail_next(method="GET", path=path, kind="latency", latency_ms=0)
    sandbox.fail_next(method="GET", path=path, **fault)


def snapshot(user, playlist_id: str) -> tuple[str, list[int]]:
    playlist = Playlist.objects.get(user=user, spotify_id=playlist_id)
    return playlist.snapshot_id, item_ids(playlist)


def test_a_spotify_failure_mid_playlist_keeps_it_intact_and_the_playlists_before_it_saved(
    sandbox, edited_everywhere
):
    user, ids, before = edited_everywhere
    *earlier, gym, shared = ids
    # One try and two retries of the client, all answered 503.
    fail_second_page(sandbox, gym, status=503, count=3)

    event = import_library(user)

    assert event.status == RunStatus.FAILED
    assert event.error == (
        'Could not read the playlist "Gym 2025": Spotify is not answering properly '
        "(error 503 while reading a playlist's items). " + SAVED_SO_FAR
    )
    assert (event.retries, event.finished_at is not None) == (2, True)
    library = spotify_library(sandbox)
    for playlist_id in earlier:
        assert snapshot(user, playlist_id)[0] == next(
            obj["snapshot_id"] for obj in library.playlists if obj["id"] == playlist_id
        )
    assert snapshot(user, gym) == before[gym]
    assert snapshot(user, shared) == before[shared]
    assert (event.playlists_done, event.playlists_changed) == (5, 4)  # Liked Songs unchanged + 4

    counts = route_counts(sandbox)
    retry = import_library(user)
    sent = requests_since(counts, sandbox)

    assert retry.status == RunStatus.SUCCEEDED, retry.error
    assert_mirror_matches(user, spotify_library(sandbox))
    assert sent == {
        LISTING_ROUTE: 1,
        LIKED_ROUTE: 1,
        ITEMS_ROUTE: pages(library.total(gym), 50) + pages(library.total(shared), 50),
    }


def test_a_failure_while_listing_changes_nothing_and_says_so(sandbox, edited_everywhere):
    user, _ids, before = edited_everywhere
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=502, count=3)

    event = import_library(user)

    assert event.status == RunStatus.FAILED
    assert event.error.startswith(
        "Could not list your playlists: Spotify is not answering properly (error 502"
    )
    assert {p.spotify_id: (p.snapshot_id, item_ids(p)) for p in Playlist.objects.filter(user=user)} == before


def test_a_long_retry_after_requeues_the_import_and_the_resumed_run_skips_finished_playlists(
    sandbox, edited_everywhere
):
    user, ids, before = edited_everywhere
    *_earlier, gym, shared = ids
    counts = route_counts(sandbox)
    fail_second_page(sandbox, gym, status=429, retry_after=7200)

    event = import_library(user)
    used_before_pause = sum(requests_since(counts, sandbox).values())

    assert event.status == RunStatus.QUEUED
    assert timedelta(seconds=7100) < event.resume_at - timezone.now() <= timedelta(seconds=7200)
    assert (event.claimed_by, event.error, event.finished_at) == ("", "", None)
    assert (event.spotify_requests, event.rate_limited) == (used_before_pause, 1)
    assert snapshot(user, gym) == before[gym]
    task = Schedule.objects.get(name=resume_schedule_name(event.pk))
    assert (task.func, ast.literal_eval(task.args), task.schedule_type) == (
        "sync.tasks.run_import",
        (event.pk,),
        Schedule.ONCE,
    )
    assert task.next_run == event.resume_at

    # Delivered early (a stray retry of the task): not due yet, so nothing happens.
    counts = route_counts(sandbox)
    assert run_import(event_id=event.pk).status == RunStatus.QUEUED
    assert requests_since(counts, sandbox) == {}

    # The schedule fires once resume_at has passed (and with it the deployment's Spotify pause).
    assert SpotifyPause.objects.get().until == event.resume_at
    SpotifyPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    SyncEvent.objects.filter(pk=event.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    resumed = run_import(event_id=event.pk)
    sent = requests_since(counts, sandbox)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    library = spotify_library(sandbox)
    assert_mirror_matches(user, library)
    # Only the listing again, then the two playlists not finished before the pause.
    assert sent == {
        LISTING_ROUTE: 1,
        LIKED_ROUTE: 1,
        ITEMS_ROUTE: pages(library.total(gym), 50) + pages(library.total(shared), 50),
    }
    assert (resumed.spotify_requests, resumed.rate_limited) == (used_before_pause + sum(sent.values()), 1)
    assert resumed.playlists_done == resumed.playlists_total == 7
    assert resumed.playlists_changed == 6


def test_a_full_import_resumed_after_a_pause_does_not_read_its_finished_playlists_again(
    sandbox, edited_everywhere
):
    user, ids, _ = edited_everywhere
    *earlier, gym, shared = ids
    fail_second_page(sandbox, gym, status=429, retry_after=7200)

    event = run_import(event_id=SyncEventFactory(user=user, scope=ImportScope.FULL).pk)

    assert event.status == RunStatus.QUEUED
    assert event.details["full_scope_done"] == [LIKED_SONGS_ID, *earlier]
    SpotifyPause.objects.update(until=timezone.now() - timedelta(seconds=1))  # its pause is over too
    SyncEvent.objects.filter(pk=event.pk).update(resume_at=timezone.now() - timedelta(seconds=1))
    counts = route_counts(sandbox)
    resumed = run_import(event_id=event.pk)
    sent = requests_since(counts, sandbox)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    library = spotify_library(sandbox)
    assert sent == {
        LISTING_ROUTE: 1,
        LIKED_ROUTE: 1,
        ITEMS_ROUTE: pages(library.total(gym), 50) + pages(library.total(shared), 50),
    }
    assert "full_scope_done" not in resumed.details
    assert_mirror_matches(user, library)


def test_a_revoked_grant_fails_the_import_at_once_with_what_to_do(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    credential = SpotifyCredential.objects.get(user=user)
    sandbox.revoke(refresh_token=credential.refresh_token)
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    counts = route_counts(sandbox)
    event = import_library(user)

    assert event.status == RunStatus.FAILED
    assert event.error == RECONNECT_MESSAGE
    assert requests_since(counts, sandbox) == {"POST /api/token": 1}
    assert SpotifyCredential.objects.get(pk=credential.pk).reconnect_needed


def test_an_import_of_a_user_already_marked_for_reconnecting_fails_without_a_request(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    SpotifyCredential.objects.filter(user=user).update(reconnect_needed=True)

    counts = route_counts(sandbox)
    event = import_library(user)

    assert (event.status, event.error) == (RunStatus.FAILED, RECONNECT_MESSAGE)
    assert requests_since(counts, sandbox) == {}


def test_a_playlist_deleted_while_the_import_runs_is_left_for_the_next_one(sandbox, edited_everywhere):
    user, ids, before = edited_everywhere
    mix = ids[0]
    sandbox.fail_next(
        method="GET",
        path=f"/v1/playlists/{mix}/items",
        status=404,
        body={"error": {"status": 404, "message": "Not found."}},
    )

    event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert snapshot(user, mix) == before[mix]
    assert (event.playlists_done, event.playlists_changed) == (7, 5)
    assert import_library(user).status == RunStatus.SUCCEEDED
    assert_mirror_matches(user, spotify_library(sandbox))


def test_an_unexpected_error_fails_the_import_and_reaches_the_queue(sandbox, edited_everywhere, monkeypatch):
    user, _ids, before = edited_everywhere

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sync.services.importer.store_playlist", broken)
    event = SyncEventFactory(user=user)

    with pytest.raises(RuntimeError, match="disk full"):
        run_import(event_id=event.pk)

    event.refresh_from_db()
    assert (event.status, event.error) == (RunStatus.FAILED, UNEXPECTED_MESSAGE)
    assert {p.spotify_id: (p.snapshot_id, item_ids(p)) for p in Playlist.objects.filter(user=user)} == before


def test_an_import_ended_elsewhere_stops_without_writing_the_playlist_in_hand(
    sandbox, edited_everywhere, monkeypatch
):
    user, ids, before = edited_everywhere
    event = SyncEventFactory(user=user)
    real_pages = SpotifyReader.playlist_item_pages

    def cleaned_up_meanwhile(self, playlist_id):
        # What the stuck-event clean-up (or an admin) does while the pages are read.
        SyncEvent.objects.filter(pk=event.pk).update(status=RunStatus.FAILED, error="stalled")
        return real_pages(self, playlist_id)

    monkeypatch.setattr(SpotifyReader, "playlist_item_pages", cleaned_up_meanwhile)
    ended = run_import(event_id=event.pk)

    assert (ended.status, ended.error) == (RunStatus.FAILED, "stalled")
    assert snapshot(user, ids[0]) == before[ids[0]]
