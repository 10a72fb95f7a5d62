"""Undo and lost runs on a real `qcluster`, with the child's contents read back from the sandbox.

- A route killed mid-write (the whole cluster, SIGKILL) leaves the child half-written; the next
  cluster fails the dead run, and "Restore" brings the child back to exactly what it held.
- A queued route whose task the broker lost is found by the sweep and queued again.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from library.models import Playlist
from routing.models import ChildBackup, RouteRun, RouteRunKind
from routing.services import restore
from routing.services.setup import create_base_playlist, update_child
from routing.services.triggers import request_route

from core.runs import RunStatus
from core import recovery
from tests.fixtures.cluster import sandbox_cluster_env
from tests.routing.route_support import POST_ITEMS, SpotifyAs, add_child, route, unique
from tests.sync.cluster_support import signed_in, wait_for
from tests.sync.import_support import import_library, route_counts

pytestmark = pytest.mark.cluster

EVERY_TRACK = {"match": "all", "conditions": []}
EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": True}]}


def _big_base(sandbox, user) -> tuple:
    """A playlist of 150 different tracks of `other`'s, imported and made a base."""
    spotify = SpotifyAs(sandbox)
    uris = unique(
        [f"spotify:track:{tid}" for playlist in user.playlists.exclude(spotify_id="liked-songs")
         for tid in spotify.track_ids(playlist.spotify_id)]
    )[:150]  # fmt: skip
    assert len(uris) == 150
    big = spotify.create_playlist("Everything, big")
    spotify.add(big, uris)
    import_library(user)
    base = create_base_playlist(user=user, playlist=Playlist.objects.get(user=user, spotify_id=big))
    return base, spotify


def _posts(sandbox) -> int:
    return route_counts(sandbox).get(POST_ITEMS, 0)


def test_a_route_killed_mid_write_is_failed_by_the_next_cluster_and_restore_brings_the_child_back(
    sandbox, settings, start_qcluster
):
    settings.SPOTIFY_APP_MODE = "development"
    user = signed_in(sandbox, "other")
    import_library(user)
    base, spotify = _big_base(sandbox, user)
    child = add_child(sandbox, base, name="Loud ones", filters=EXPLICIT)
    assert route(base).status == RunStatus.SUCCEEDED
    before = spotify.uris(child.spotify_id)
    assert 3 <= len(before) < 100
    # Every track now: the missing ones go in as many inserts, each slowed down on the sandbox.
    update_child(child=child, filters=EVERY_TRACK)
    sandbox.fail_next(
        method="POST",
        path=f"/v1/playlists/{child.spotify_id}/items",
        kind="latency",
        latency_ms=1500,
        count=100,
    )
    env = sandbox_cluster_env(sandbox)
    doomed = start_qcluster(env=env)
    posts = _posts(sandbox)
    event, _ = request_route(base=base, trigger="test")
    deadline = time.monotonic() + 60
    while _posts(sandbox) < posts + 2:
        assert time.monotonic() < deadline, doomed.log()[-3000:]
        time.sleep(0.05)

    doomed.kill()
    time.sleep(2)  # the insert in flight when the worker died still lands on the sandbox
    halfway = spotify.uris(child.spotify_id)
    assert len(before) < len(halfway) < 150
    assert set(before) <= set(halfway)  # inserts come before removals: nothing was lost meanwhile

    survivor = start_qcluster(env=env)  # its workers find the dead run when they spawn
    failed = wait_for(event.pk, lambda e: e.status == RunStatus.FAILED, clusters=[survivor], model=RouteRun)
    assert "worker running this route stopped" in failed.error
    assert ChildBackup.objects.get(run=failed).uris == before

    sandbox.control("DELETE", "faults")
    undo = restore.request_restore(event=failed, trigger="test")
    restored = wait_for(undo.pk, lambda e: not e.is_active, clusters=[survivor], model=RouteRun)

    assert restored.status == RunStatus.SUCCEEDED, restored.error
    assert spotify.uris(child.spotify_id) == before
    assert ChildBackup.objects.get(run=restored).uris == halfway  # and the restore can be undone


def test_a_queued_route_whose_task_was_lost_is_queued_again_by_the_sweep_and_runs(
    sandbox, settings, start_qcluster
):
    settings.SPOTIFY_APP_MODE = "development"
    user = signed_in(sandbox, "other")
    import_library(user)
    base = create_base_playlist(user=user, playlist=Playlist.objects.get(user=user, name="Drafts"))
    child = add_child(sandbox, base, name="Drafts copy", filters=EVERY_TRACK)
    # Queued 20 minutes ago; its task went with a broker restart (it was never handed to this one).
    lost = RouteRun.objects.create(kind=RouteRunKind.ROUTE, user=user, base=base, trigger="button")
    twenty_minutes_ago = timezone.now() - timedelta(minutes=20)
    RouteRun.objects.filter(pk=lost.pk).update(created_at=twenty_minutes_ago, enqueued_at=twenty_minutes_ago)
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))

    assert recovery.requeue_lost(RouteRun) == [lost.pk]
    assert recovery.requeue_lost(RouteRun) == []  # taken: the next sweep leaves it alone

    finished = wait_for(lost.pk, lambda e: not e.is_active, clusters=[cluster], model=RouteRun)
    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert len(SpotifyAs(sandbox).uris(child.spotify_id)) > 0
