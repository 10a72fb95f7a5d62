"""Duplicates removed and put back through the API on a real `qcluster`: the page's request only
queues, the cluster's worker writes, and the playlist is read back from the sandbox itself."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.runs import RunStatus
from library.models import Playlist
from routing.models import ChildBackup, RouteRun
from tests.fixtures.cluster import sandbox_cluster_env
from tests.routing.route_support import SpotifyAs
from tests.sync.cluster_support import signed_in, wait_for
from tests.sync.import_support import import_library

pytestmark = pytest.mark.cluster


def test_a_removal_asked_through_the_api_runs_on_the_cluster_and_its_undo_too(sandbox, settings, start_qcluster):
    settings.SPOTIFY_APP_MODE = "development"
    user = signed_in(sandbox, "other")
    import_library(user)
    spotify = SpotifyAs(sandbox)
    drafts = Playlist.objects.get(user=user, name="Drafts")
    tracks = [uri for uri in spotify.uris(drafts.spotify_id) if uri.startswith("spotify:track:")][:4]
    rows = [tracks[0], tracks[1], tracks[0], tracks[2], tracks[1], tracks[3]]
    doubles = spotify.create_playlist("Doubles")
    spotify.add(doubles, rows)
    import_library(user)
    playlist = Playlist.objects.get(user=user, spotify_id=doubles)
    api = APIClient()
    api.force_authenticate(user)
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))

    listed = next(e for e in api.get("/api/library/duplicates/").json() if e["playlist"]["id"] == playlist.pk)
    positions = [row["position"] for group in listed["groups"] for row in group["extra"]]
    assert sorted(positions) == [2, 4]
    asked = api.post(
        f"/api/library/playlists/{playlist.pk}/remove-duplicates",
        {"positions": positions, "snapshot_id": listed["playlist"]["snapshot_id"]},
        format="json",
    )
    assert asked.status_code == 202, asked.json()

    done = wait_for(asked.json()["id"], lambda e: not e.is_active, clusters=[cluster], model=RouteRun)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert spotify.uris(doubles) == [tracks[0], tracks[1], tracks[2], tracks[3]]
    assert api.get(f"/api/duplicate-removals/{done.pk}/").json()["can_undo"] is True

    undo = api.post(f"/api/duplicate-removals/{done.pk}/undo")
    assert undo.status_code == 202, undo.json()
    undone = wait_for(undo.json()["id"], lambda e: not e.is_active, clusters=[cluster], model=RouteRun)
    assert undone.status == RunStatus.SUCCEEDED, undone.error
    assert spotify.uris(doubles) == rows
    assert ChildBackup.objects.get(run=undone).uris == [tracks[0], tracks[1], tracks[2], tracks[3]]
