"""Confirmation before big removals, backups and undo, against the live sandbox: the children's
contents are read back from the sandbox itself before and after every step."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from routing.models import ChildBackup
from routing.services import restore
from routing.services import run_control as route_control
from routing.services.route import run_route
from routing.services.setup import add_child_playlist, delete_child, update_child
from routing.display import describe_run
from core.runs import RunStatus
from core import run_control
from tests.routing.factories import BasePlaylistFactory
from tests.routing.route_support import SpotifyAs, add_child, import_library, imported_base, route, writes_since
from tests.sync.import_support import route_counts

pytestmark = pytest.mark.django_db

EVERY_TRACK = {"match": "all", "conditions": []}
NOTHING = {"match": "all", "conditions": [{"field": "release_year", "op": "between", "value": {"max": 1900}}]}
NOT_EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}
EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": True}]}


def _rerun(event_id: int):
    """What the queue does with a confirmed route: run it here."""
    return run_route(run_id=event_id)


def test_a_filter_edited_to_match_nothing_waits_for_confirmation_and_writes_only_once_confirmed(
    sandbox, settings, queue
):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Gym, all of it", filters=EVERY_TRACK)
    assert route(base).status == RunStatus.SUCCEEDED
    full = spotify.uris(child.spotify_id)
    assert len(full) >= 20

    update_child(child=child, filters=NOTHING)
    counts = route_counts(sandbox)
    asked = route(base)

    assert asked.status == RunStatus.WAITING
    (pending,) = asked.details["confirmation"]["children"]
    assert (pending["name"], pending["tracks_now"], pending["tracks_after"]) == (
        "Gym, all of it",
        len(full),
        0,
    )
    assert sorted(pending["removals"]) == sorted(set(full))
    assert writes_since(counts, sandbox) == 0 and spotify.uris(child.spotify_id) == full
    api = APIClient()
    api.force_authenticate(user)
    shown = api.get(f"/api/base-playlists/{base.pk}/runs/{asked.pk}/").json()["route"]["confirmation"]["children"][0]
    assert {track["uri"] for track in shown["removals"]} == set(full) and all(
        t["name"] for t in shown["removals"]
    )
    assert "would be emptied" in shown["reason"]

    discarded = api.post(f"/api/base-playlists/{base.pk}/runs/{asked.pk}/discard")
    assert (discarded.status_code, discarded.json()["status"]) == (200, "cancelled")
    assert spotify.uris(child.spotify_id) == full

    again = route(base)
    assert again.status == RunStatus.WAITING
    assert api.post(f"/api/base-playlists/{base.pk}/runs/{again.pk}/confirm").status_code == 202
    emptied = _rerun(again.pk)

    assert emptied.status == RunStatus.SUCCEEDED, emptied.error
    assert spotify.uris(child.spotify_id) == []
    backup = ChildBackup.objects.get(run=emptied)
    assert backup.uris == full and backup.snapshot_id


def test_removing_more_than_half_of_a_big_child_asks_first_and_a_small_share_does_not(
    sandbox, settings, queue
):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Gym", filters=EVERY_TRACK)
    assert route(base).status == RunStatus.SUCCEEDED
    full = spotify.uris(child.spotify_id)
    explicit = [
        uri for uri, obj in zip(full, spotify.tracks(child.spotify_id), strict=True) if obj["explicit"]
    ]
    assert 0 < len(explicit) < len(full) / 2

    update_child(child=child, filters=NOT_EXPLICIT)  # a small share goes without asking
    assert route(base).status == RunStatus.SUCCEEDED
    assert set(spotify.uris(child.spotify_id)) == set(full) - set(explicit)

    update_child(child=child, filters=EXPLICIT)  # now most of it would go
    clean = spotify.uris(child.spotify_id)
    asked = route(base)

    assert asked.status == RunStatus.WAITING
    (pending,) = asked.details["confirmation"]["children"]
    assert pending["reason"] == f"{len(clean)} of its {len(clean)} tracks (100 %) would be removed"
    assert pending["tracks_after"] == len(set(explicit))
    assert spotify.uris(child.spotify_id) == clean


def test_restore_after_two_runs_brings_back_each_state_and_is_itself_undoable(sandbox, settings, queue):
    settings.ROUTE_CONFIRM_MIN_TRACKS = 10_000  # big removals are the test above's subject
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Curated", filters=NOT_EXPLICIT, routed=True)
    # The listener's own playlist: three songs of theirs, one twice (duplicates are kept too).
    own = [uri for uri in spotify.uris(base.spotify_id)[:3]]
    original = [own[0], own[1], own[2], own[0]]
    spotify.add(child.spotify_id, original)
    first = route(base)
    after_first = spotify.uris(child.spotify_id)
    update_child(child=child, filters=EXPLICIT)
    second = route(base)
    after_second = spotify.uris(child.spotify_id)
    assert first.status == second.status == RunStatus.SUCCEEDED
    assert original != after_first != after_second

    _restore(second)
    assert spotify.uris(child.spotify_id) == after_first

    undo_first = _restore(first)
    assert spotify.uris(child.spotify_id) == original

    undo_the_undo = _restore(undo_first)
    assert spotify.uris(child.spotify_id) == after_first
    assert undo_the_undo.restore_of_id == undo_first.pk


def _restore(event):
    queued = restore.request_restore(event=event, trigger="test")
    finished = restore.run_restore(run_id=queued.pk)
    assert finished.status == RunStatus.SUCCEEDED, finished.error
    return finished


def test_a_backup_downloads_as_json_with_every_row_and_names(sandbox, settings, queue):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Curated", filters=EXPLICIT, routed=True)
    original = spotify.uris(base.spotify_id)[:4]
    spotify.add(child.spotify_id, original)
    run = route(base)
    (backup,) = ChildBackup.objects.filter(run=run)
    api = APIClient()
    api.force_authenticate(user)

    listed = api.get(f"/api/base-playlists/{base.pk}/runs/{run.pk}/backups/").json()
    response = api.get(listed[0]["download_url"])

    assert (listed[0]["id"], listed[0]["tracks"], listed[0]["name"]) == (backup.pk, 4, "Curated")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert [row["uri"] for row in document["rows"]] == original
    assert all(row["name"] for row in document["rows"])
    assert document["playlist"] == {"spotify_id": child.spotify_id, "name": "Curated"}
    stranger = APIClient()
    stranger.force_authenticate(type(user).objects.create(username="stranger"))
    assert stranger.get(listed[0]["download_url"]).status_code == 404
    assert stranger.get(f"/api/base-playlists/{base.pk}/runs/{run.pk}/backups/").status_code == 404


def test_cancelling_a_queued_route_frees_its_base_and_discard_is_refused_for_it(sandbox, settings, queue):
    user, base = imported_base(sandbox, settings)
    add_child(sandbox, base, name="All", filters=EVERY_TRACK)
    from routing.services.triggers import request_route

    event, _ = request_route(base=base, trigger="test")
    with pytest.raises(run_control.RunControlError, match="only a route that waits for your confirmation"):
        route_control.discard_route(run=event)
    cancelled = run_control.cancel_run(run=event)

    assert cancelled.status == RunStatus.CANCELLED and cancelled.details["cancelled_by"] == "you"
    update_child(child=base.children.get(), name="Renamed")  # the base is free again
    assert _rerun(event.pk).status == RunStatus.CANCELLED  # a late task finds nothing to run


def test_a_track_the_listener_adds_between_the_routes_read_and_its_write_is_in_the_backup(
    sandbox, settings, queue
):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT, routed=True)
    base_uris = spotify.uris(base.spotify_id)
    explicit = [
        uri for uri, obj in zip(base_uris, spotify.tracks(base.spotify_id), strict=True) if obj["explicit"]
    ]
    # Just after the route's first read of the child, the listener adds a song in their app.
    sandbox.fail_next(
        method="GET", path=f"/v1/playlists/{child.spotify_id}", kind="mutate_after",
        body={"playlist_id": child.spotify_id, "op": "add", "uris": [explicit[0]], "user": "other"},
    )  # fmt: skip

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    (backup,) = ChildBackup.objects.filter(run=event)
    assert backup.uris == [explicit[0]]  # what the child held just before the write
    assert explicit[0] not in spotify.uris(child.spotify_id)  # a small removal: no question


def test_a_restore_leaves_alone_a_child_detached_since_and_now_another_bases(sandbox, settings, queue):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Moved away", filters=NOT_EXPLICIT)
    run = route(base)
    routed = spotify.uris(child.spotify_id)
    assert run.status == RunStatus.SUCCEEDED and routed
    delete_child(child=child)
    import_library(user)  # the listener's next import mirrors it: only then may it be a child again
    other_base = BasePlaylistFactory(user=user, playlist=user.playlists.get(name="Drafts"))
    add_child_playlist(
        base=other_base, spotify_id=child.spotify_id, name="Moved away", mode="add_only", filters=EVERY_TRACK
    )

    restored = _restore(run)

    assert spotify.uris(child.spotify_id) == routed  # not emptied back to before the first run
    assert restored.details["skipped"] == ["Moved away"]
    assert "Left alone (now part of another routing set-up): Moved away." in describe_run(restored)
