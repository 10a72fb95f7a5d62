"""Removing duplicates from a playlist the listener owns, against the live sandbox: the playlist
is read back from the sandbox itself (plain HTTP) before and after every step."""

from __future__ import annotations

import pytest

from library.models import Playlist
from library.selectors import list_duplicates
from django.utils import timezone

from routing.models import ChildBackup, RouteRun
from routing.services import restore
from routing.services.dedupe import DedupeInvalid, request_dedupe, run_dedupe
from core.runs import RunStatus
from accounts.models import SpotifyPause
from tests.routing.route_support import BASE_NAME, DELETE_ITEMS, REPLACE_ITEMS, SpotifyAs, writes_since
from tests.sync.import_support import connect, import_library, requests_since, route_counts, set_mode

pytestmark = pytest.mark.django_db


def _playlist_with(sandbox, settings, rows_of) -> tuple:
    """`other` connected; a playlist of theirs made on the sandbox holding `rows_of(tracks)` (tracks:
    the URIs of their base playlist), then imported. Returns (user, spotify, playlist, rows)."""
    set_mode(sandbox, settings, "development")
    user = connect(sandbox)
    spotify = SpotifyAs(sandbox)
    tracks = _their_tracks(spotify)
    rows = rows_of(tracks)
    spotify_id = spotify.create_playlist("Doubles")
    spotify.add(spotify_id, rows)
    import_library(user)
    return user, spotify, Playlist.objects.get(user=user, spotify_id=spotify_id), rows


def _their_tracks(spotify: SpotifyAs) -> list[str]:
    """Every track of `other`'s playlists, each once: their base's first, in its order."""
    response = spotify.http.get(f"{spotify.api}/me/playlists?limit=50", timeout=10)
    response.raise_for_status()
    ids = sorted((p["name"] != BASE_NAME, p["id"]) for p in response.json()["items"])
    uris = [uri for _, spotify_id in ids for uri in spotify.uris(spotify_id)]
    return list(dict.fromkeys(uri for uri in uris if uri.startswith("spotify:track:")))


def _confirm(user, playlist: Playlist):
    """What the listener confirms on the page: every later copy, at the snapshot they saw."""
    (found,) = list_duplicates(user=user, spotify_user_id="other", playlist=playlist)
    positions = [row.position for row in found.removable]
    return request_dedupe(
        user=user, playlist=playlist, positions=positions, snapshot_id=playlist.snapshot_id, trigger="button"
    )


def _mirrored(playlist: Playlist) -> list[str]:
    track_ids = playlist.items.order_by("position").values_list("track_id", flat=True)
    return [f"spotify:track:{track_id}" for track_id in track_ids]


def spotify_snapshot(spotify: SpotifyAs, spotify_id: str) -> str:
    response = spotify.http.get(f"{spotify.api}/playlists/{spotify_id}", timeout=10)
    response.raise_for_status()
    return response.json()["snapshot_id"]


def _without(rows: list[str], positions: set[int]) -> list[str]:
    return [uri for index, uri in enumerate(rows) if index not in positions]


def test_a_small_playlist_loses_only_its_later_copies_and_the_undo_brings_them_back(sandbox, settings, queue):
    user, spotify, playlist, rows = _playlist_with(
        sandbox, settings, lambda t: [t[0], t[1], t[0], t[2], t[1], t[0], t[3]]
    )
    assert spotify.uris(playlist.spotify_id) == rows

    event = _confirm(user, playlist)
    done = run_dedupe(run_id=event.pk)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert spotify.uris(playlist.spotify_id) == _without(rows, {2, 4, 5})
    backup = ChildBackup.objects.get(run=done)
    assert backup.uris == rows and backup.spotify_id == playlist.spotify_id
    assert done.details["writes"][playlist.spotify_id]["removed"] == 3
    # The mirror lost the same rows at once: the duplicates page lists none before any import.
    assert _mirrored(playlist) == _without(rows, {2, 4, 5})
    assert list_duplicates(user=user, spotify_user_id="other", playlist=playlist)[0].groups == ()
    playlist.refresh_from_db()
    assert (playlist.track_count, playlist.items_total) == (4, 4)

    undo = restore.request_restore(event=done, trigger="button")
    assert undo.target_spotify_id == playlist.spotify_id and undo.base_id is None
    undone = restore.run_restore(run_id=undo.pk)
    assert undone.status == RunStatus.SUCCEEDED, undone.error
    assert spotify.uris(playlist.spotify_id) == rows


def test_a_long_playlist_keeps_every_other_row_in_place(sandbox, settings, queue):
    def long(tracks: list[str]) -> list[str]:
        rows = tracks[:130]
        return rows[:60] + [rows[5], rows[59]] + rows[60:] + [rows[0]]

    user, spotify, playlist, rows = _playlist_with(sandbox, settings, long)
    first_seen: dict[str, int] = {}
    later = {i for i, uri in enumerate(rows) if first_seen.setdefault(uri, i) != i}
    assert len(rows) - len(later) > 100  # too long for one PUT: removed, then put back in place
    counts = route_counts(sandbox)

    done = run_dedupe(run_id=_confirm(user, playlist).pk)

    assert done.status == RunStatus.SUCCEEDED, done.error
    assert spotify.uris(playlist.spotify_id) == _without(rows, later)
    assert _mirrored(playlist) == _without(rows, later)
    # Its snapshot stays the reviewed one, so the next import reads it again (the copies put
    # back carry Spotify's new dates) and then holds Spotify's version.
    import_library(user)
    playlist.refresh_from_db()
    assert playlist.snapshot_id == spotify_snapshot(spotify, playlist.spotify_id)
    assert _mirrored(playlist) == _without(rows, later)
    sent = requests_since(counts, sandbox)
    assert sent.get(DELETE_ITEMS) == 1 and sent.get(REPLACE_ITEMS, 0) == 0
    undone = restore.run_restore(run_id=restore.request_restore(event=done, trigger="button").pk)
    assert undone.status == RunStatus.SUCCEEDED, undone.error
    assert spotify.uris(playlist.spotify_id) == rows


def test_a_playlist_changed_on_spotify_since_the_review_is_left_untouched(sandbox, settings, queue):
    user, spotify, playlist, rows = _playlist_with(sandbox, settings, lambda t: [t[0], t[1], t[0]])
    event = _confirm(user, playlist)
    spotify.add(playlist.spotify_id, [rows[1]])  # the listener added a track meanwhile
    counts = route_counts(sandbox)

    failed = run_dedupe(run_id=event.pk)

    assert failed.status == RunStatus.FAILED
    assert "changed on Spotify since you reviewed" in failed.error
    assert writes_since(counts, sandbox) == 0
    assert spotify.uris(playlist.spotify_id) == rows + [rows[1]]
    assert not ChildBackup.objects.filter(run=failed).exists()


def test_a_plan_naming_a_first_copy_or_an_old_snapshot_is_refused(sandbox, settings, queue):
    user, spotify, playlist, rows = _playlist_with(sandbox, settings, lambda t: [t[0], t[1], t[0]])
    with pytest.raises(DedupeInvalid) as first:
        request_dedupe(user=user, playlist=playlist, positions=[0], snapshot_id=playlist.snapshot_id, trigger="api")
    assert first.value.field == "positions"
    with pytest.raises(DedupeInvalid) as old:
        request_dedupe(user=user, playlist=playlist, positions=[2], snapshot_id="older", trigger="api")
    assert old.value.field == "snapshot_id"
    assert not queue.of("routing.tasks.run_dedupe")
    assert spotify.uris(playlist.spotify_id) == rows


def _long(tracks: list[str]) -> list[str]:
    """Over 100 rows after the removal (so not one PUT), with two tracks repeated."""
    rows = tracks[:120]
    return rows[:50] + [rows[3]] + rows[50:] + [rows[40]]


def test_a_removal_postponed_between_its_delete_and_its_put_back_finishes_when_resumed(sandbox, settings, queue):
    user, spotify, playlist, rows = _playlist_with(sandbox, settings, _long)
    sandbox.fail_next(method="POST", path=f"/v1/playlists/{playlist.spotify_id}/items", status=429, retry_after=7200)

    paused = run_dedupe(run_id=_confirm(user, playlist).pk)

    assert paused.status == RunStatus.QUEUED and paused.resume_at is not None
    assert rows[3] not in spotify.uris(playlist.spotify_id)  # taken out, not back yet
    SpotifyPause.objects.update(until=timezone.now())
    RouteRun.objects.filter(pk=paused.pk).update(resume_at=timezone.now())
    resumed = run_dedupe(run_id=paused.pk)
    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    assert spotify.uris(playlist.spotify_id) == _without(rows, {50, len(rows) - 1})
    assert ChildBackup.objects.get(run=resumed).uris == rows  # the first backup stays


def test_a_removal_that_fails_part_way_says_so_and_its_undo_brings_every_track_back(sandbox, settings, queue):
    user, spotify, playlist, rows = _playlist_with(sandbox, settings, _long)
    sandbox.fail_next(method="POST", path=f"/v1/playlists/{playlist.spotify_id}/items", status=503, count=10)

    failed = run_dedupe(run_id=_confirm(user, playlist).pk)

    assert failed.status == RunStatus.FAILED
    assert "Some tracks may be missing" in failed.error and "Undo it" in failed.error
    assert "a retry goes on" not in failed.error
    sandbox.control("DELETE", "faults")  # Spotify answers again
    undone = restore.run_restore(run_id=restore.request_restore(event=failed, trigger="button").pk)
    assert undone.status == RunStatus.SUCCEEDED, undone.error
    assert spotify.uris(playlist.spotify_id) == rows
