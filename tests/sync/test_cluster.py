"""Imports on a real `qcluster` against the live sandbox: end to end, and a cluster killed mid-run."""

from __future__ import annotations

import pytest
import requests

from accounts.models import User
from library.models import ItemsStatus, Playlist, PlaylistKind
from sync.models import SyncEvent
from core.runs import RunStatus
from sync.services import cleanup, triggers
from tests.fixtures.cluster import sandbox_cluster_env
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def _spotify_playlist_total(sandbox, user: User) -> int:
    token = user.spotify_credential.access_token
    response = requests.get(
        f"{sandbox.api_url}/me/playlists",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return response.json()["total"]


def _assert_mirror_matches_spotify(sandbox, user: User) -> None:
    playlists = Playlist.objects.filter(user=user).exclude(kind=PlaylistKind.LIKED_SONGS)
    assert playlists.count() == _spotify_playlist_total(sandbox, user)
    for playlist in Playlist.objects.filter(user=user, items_status=ItemsStatus.AVAILABLE):
        assert playlist.track_count == playlist.items_total, playlist.name


def test_a_real_cluster_imports_a_small_library_end_to_end(sandbox, start_qcluster):
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))
    user = signed_in(sandbox, "other")

    # A transactional test: on_commit fires at once, so this really enqueues the task.
    event, created = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)

    finished = wait_for(event.pk, lambda e: not e.is_active, clusters=[cluster])
    assert created and finished.status == RunStatus.SUCCEEDED, finished.error
    assert finished.task_id and cluster.wait_for_task(finished.task_id).success
    assert finished.playlists_done == finished.playlists_total > 0
    assert finished.spotify_requests > 0
    _assert_mirror_matches_spotify(sandbox, user)


def test_a_killed_cluster_leaves_a_failed_import_that_a_retry_finishes(sandbox, start_qcluster):
    env = sandbox_cluster_env(sandbox)
    first = start_qcluster(env=env)
    first.wait_until_running()  # no worker of it spawns after the kill's victim is dead
    user = signed_in(sandbox, "demo")
    # Slow item pages, so the import is still running when the cluster dies.
    sandbox.fail_next(method="GET", path="/v1/playlists/*/items", kind="latency", latency_ms=250, count=400)
    event, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    running = wait_for(
        event.pk, lambda e: e.status == RunStatus.RUNNING and e.playlists_done >= 2, clusters=[first]
    )
    assert running.claimed_by.startswith(f"{cleanup.this_host()}:")

    first.kill()
    sandbox.control("DELETE", "faults")
    kept = Playlist.objects.filter(user=user, items_imported_at__isnull=False).count()
    assert SyncEvent.objects.get(pk=event.pk).status == RunStatus.RUNNING  # nobody has noticed yet
    second = start_qcluster(env=env)

    # The new cluster's workers find the import of the dead one as they spawn.
    failed = wait_for(
        event.pk, lambda e: e.status != RunStatus.RUNNING, clusters=[first, second], timeout=60
    )
    assert failed.status == RunStatus.FAILED
    assert failed.error == cleanup.WORKER_STOPPED_REASON
    assert kept >= 2 and Playlist.objects.filter(user=user, items_imported_at__isnull=False).count() == kept

    retry = triggers.retry_import(event=failed)

    finished = wait_for(retry.pk, lambda e: not e.is_active, clusters=[first, second])
    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert finished.retry_of_id == event.pk
    # It continued: the playlists finished before the kill were not fetched again.
    assert finished.playlists_changed == finished.playlists_total - kept
    assert second.wait_for_task(finished.task_id).success
    _assert_mirror_matches_spotify(sandbox, user)
