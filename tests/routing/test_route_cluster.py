"""Routes on a real `qcluster`: an import that changed a base routes it automatically, and the
child on the sandbox ends up with exactly the base's matching tracks."""

from __future__ import annotations

import pytest

from library.models import Playlist
from routing.services.setup import create_base_playlist
from sync.models import SyncEvent, SyncKind
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
    routes = list(SyncEvent.objects.filter(kind=SyncKind.ROUTE, base=base))
    imports = list(SyncEvent.objects.filter(kind="import").values_list("pk", "trigger", "status", "task_id"))
    assert len(routes) == 1, ([(e.pk, e.trigger, e.status, e.task_id) for e in routes], imports, cluster.log()[-3000:])
    (routed,) = routes
    finished = wait_for(routed.pk, lambda e: not e.is_active, clusters=[cluster])

    assert finished.status == RunStatus.SUCCEEDED, finished.error
    assert finished.trigger == "import" and finished.task_id
    assert cluster.wait_for_task(finished.task_id).success
    assert spotify.track_ids(clean.spotify_id) == expected_not_explicit(spotify.tracks(base.playlist.spotify_id))
    assert gone["id"] not in spotify.track_ids(clean.spotify_id)
