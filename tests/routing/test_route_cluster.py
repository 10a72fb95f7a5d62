"""Routes on a real `qcluster`: an import that changed a base routes it automatically, and the
child on the sandbox ends up with exactly the base's matching tracks."""

from __future__ import annotations

import time

import pytest

from library.models import Playlist
from routing.models import RouteRun, RouteRunKind
from routing.services.setup import create_base_playlist

from core.runs import RunStatus
from sync.services import triggers
from tests.fixtures.cluster import sandbox_cluster_env
from tests.routing.route_support import BASE_NAME, NOT_EXPLICIT, SpotifyAs, add_child, expected_not_explicit
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def test_an_import_that_changed_an_automatic_base_routes_it_on_the_cluster(sandbox, start_qcluster):
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))
    user = signed_in(sandbox, "other")
    first, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    assert wait_for(first.pk, lambda e: not e.is_active, clusters=[cluster]).status == RunStatus.SUCCEEDED
    base = create_base_playlist(
        user=user, playlist=Playlist.objects.get(user=user, name=BASE_NAME), auto_route_after_import=True
    )
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    spotify = SpotifyAs(sandbox)
    gone = spotify.tracks(base.playlist.spotify_id)[0]
    sandbox.mutate_playlist(base.playlist.spotify_id, op="remove", uris=[gone["uri"]])

    second, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    assert wait_for(second.pk, lambda e: not e.is_active, clusters=[cluster]).status == RunStatus.SUCCEEDED
    # The route is queued by the import's after-commit receivers, just after the import ends.
    deadline = time.monotonic() + 30
    while not RouteRun.objects.filter(base=base).exists():
        assert time.monotonic() < deadline, cluster.log()[-3000:]
        time.sleep(0.1)
    (routed,) = RouteRun.objects.filter(kind=RouteRunKind.ROUTE, base=base)
    finished = wait_for(routed.pk, lambda e: not e.is_active, clusters=[cluster], model=RouteRun)

    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert finished.trigger == "import" and finished.task_id
    assert cluster.wait_for_task(finished.task_id).success
    assert spotify.track_ids(clean.spotify_id) == expected_not_explicit(spotify.tracks(base.playlist.spotify_id))
    assert gone["id"] not in spotify.track_ids(clean.spotify_id)
