"""Removing duplicates around a local file, against the live sandbox: a removal resumed after a
pause and an undo put every kept or removed copy back at its place, and a playlist edited while
a removal was paused is left alone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import SpotifyPause
from core.runs import RunStatus
from routing.models import RouteRun
from routing.services import restore
from routing.services.dedupe import request_dedupe, run_dedupe
from tests.routing.route_support import SpotifyAs, writes_since
from tests.routing.test_dedupe_live import _playlist_with, _without
from tests.sync.import_support import import_library, route_counts

pytestmark = pytest.mark.django_db


def _a_local_file(spotify: SpotifyAs) -> str:
    """A local file of `other`'s (the sandbox's catalog has some in their playlists)."""
    response = spotify.http.get(f"{spotify.api}/me/playlists?limit=50", timeout=10)
    response.raise_for_status()
    for playlist in response.json()["items"]:
        for uri in spotify.uris(playlist["id"]):
            if uri.startswith("spotify:local:"):
                return uri
    pytest.fail("The sandbox gives `other` no local file.")


def _with_local_file(sandbox, settings, rows_of, *, at: int):
    """A playlist of `rows_of(tracks)` with one of the listener's local files inserted at `at`
    (by their desktop app: the Web API cannot add one), imported as the listener sees it."""
    user, spotify, playlist, rows = _playlist_with(sandbox, settings, rows_of)
    local = _a_local_file(spotify)
    sandbox.control(
        "POST", f"playlists/{playlist.spotify_id}/mutate", {"op": "add", "uris": [local], "position": at}
    )
    import_library(user)
    playlist.refresh_from_db()
    rows = rows[:at] + [local] + rows[at:]
    assert spotify.uris(playlist.spotify_id) == rows
    return user, spotify, playlist, rows


def _remove(user, playlist, positions: list[int]) -> RouteRun:
    return request_dedupe(
        user=user, playlist=playlist, positions=positions, snapshot_id=playlist.snapshot_id, trigger="button"
    )


def _x_thrice(tracks: list[str]) -> list[str]:
    """X at rows 0, 2 and 4 once the local file is at row 3; 115 rows in all."""
    x = tracks[0]
    return [x, tracks[1], x, x, *tracks[2:112]]


def _pause_between_delete_and_put_back(sandbox, user, playlist, positions) -> RouteRun:
    path = f"/v1/playlists/{playlist.spotify_id}/items"
    sandbox.fail_next(method="POST", path=path, status=429, retry_after=7200)
    paused = run_dedupe(run_id=_remove(user, playlist, positions).pk)
    assert paused.status == RunStatus.QUEUED and paused.resume_at is not None
    SpotifyPause.objects.update(until=timezone.now())
    RouteRun.objects.filter(pk=paused.pk).update(resume_at=timezone.now())
    return paused


def test_a_removal_resumed_around_a_local_file_keeps_every_kept_copy(sandbox, settings, queue):
    user, spotify, playlist, rows = _with_local_file(sandbox, settings, _x_thrice, at=3)
    x = rows[0]
    assert len(rows) == 115 and [i for i, uri in enumerate(rows) if uri == x] == [0, 2, 4]
    paused = _pause_between_delete_and_put_back(sandbox, user, playlist, [4])
    assert x not in spotify.uris(playlist.spotify_id)  # taken out, not back yet

    resumed = run_dedupe(run_id=paused.pk)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    assert spotify.uris(playlist.spotify_id) == _without(rows, {4})  # X at rows 0 and 2, as kept


def test_a_playlist_edited_while_its_removal_was_paused_is_left_alone(sandbox, settings, queue):
    user, spotify, playlist, rows = _with_local_file(sandbox, settings, _x_thrice, at=3)
    paused = _pause_between_delete_and_put_back(sandbox, user, playlist, [4])
    # The listener takes a track out in their app meanwhile: nothing new came in, yet it changed.
    sandbox.control("POST", f"playlists/{playlist.spotify_id}/mutate", {"op": "remove", "positions": [10]})
    left = spotify.uris(playlist.spotify_id)
    counts = route_counts(sandbox)

    stopped = run_dedupe(run_id=paused.pk)

    assert stopped.status == RunStatus.FAILED
    assert "changed on Spotify while" in stopped.error and "Undo it" in stopped.error
    assert writes_since(counts, sandbox) == 0
    assert spotify.uris(playlist.spotify_id) == left


def test_the_undo_of_a_removal_around_a_local_file_puts_the_copies_back(sandbox, settings, queue):
    user, spotify, playlist, rows = _with_local_file(
        sandbox, settings, lambda t: [t[0], t[1], t[0], t[2], t[1], t[3]], at=3
    )
    done = run_dedupe(run_id=_remove(user, playlist, [2, 5]).pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert spotify.uris(playlist.spotify_id) == _without(rows, {2, 5})

    undone = restore.run_restore(run_id=restore.request_restore(event=done, trigger="button").pk)

    assert undone.status == RunStatus.SUCCEEDED, undone.error
    assert spotify.uris(playlist.spotify_id) == rows


def test_an_undo_that_cannot_put_the_copies_back_in_place_fails_and_writes_nothing(sandbox, settings, queue):
    user, spotify, playlist, rows = _with_local_file(
        sandbox, settings, lambda t: [t[0], t[1], t[0], t[2], t[1], t[3]], at=3
    )
    done = run_dedupe(run_id=_remove(user, playlist, [2, 5]).pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    # The listener moves the first track to the end in their app: not the backup less some rows.
    reorder = {"op": "reorder", "range_start": 0, "insert_before": 5}
    sandbox.control("POST", f"playlists/{playlist.spotify_id}/mutate", reorder)
    moved = spotify.uris(playlist.spotify_id)
    counts = route_counts(sandbox)

    undone = restore.run_restore(run_id=restore.request_restore(event=done, trigger="button").pk)

    assert undone.status == RunStatus.FAILED
    assert "cannot be put back in place; nothing was written" in undone.error
    assert writes_since(counts, sandbox) == 0
    assert spotify.uris(playlist.spotify_id) == moved
