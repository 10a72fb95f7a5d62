"""On a real `qcluster`: two live previews of a base send Spotify nothing and queue one warm-up;
the interactive cluster runs it, the base's metadata state says when it is done, and the next
preview counts with every artist's genres."""

from __future__ import annotations

import time

import pytest
from django_q.brokers import get_broker
from django_q.models import Task
from rest_framework.test import APIClient

from core.queues import INTERACTIVE, cluster_name
from routing.models import WarmUpStatus
from routing.services.warm_up import WARM_UP_TASK
from tests.fixtures.cluster import Cluster, sandbox_cluster_env
from tests.routing.route_support import ARTIST_ROUTE, SpotifyAs, imported_base
from tests.routing.test_metadata_preview import preview
from tests.routing.test_route_metadata import base_artists, genre_child
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.cluster


def wait_until_done(api: APIClient, base, cluster: Cluster, *, timeout: float = 60) -> dict:
    """The base's metadata state once its warm-up is no longer queued or running, as the editor polls it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api.get(f"/api/base-playlists/{base.pk}/metadata").json()
        if state["warm_up"] and not state["warm_up"]["active"]:
            return state
        time.sleep(0.25)
    raise AssertionError(f"the warm-up never finished: {state}\n{cluster.log()[-4000:]}")


def finished_tasks(func: str, cluster: Cluster, *, timeout: float = 30) -> list[Task]:
    """The tasks of `func` the cluster has recorded (its monitor saves them just after they return)."""
    deadline = time.monotonic() + timeout
    while not Task.objects.filter(func=func).exists():
        assert time.monotonic() < deadline, cluster.log()[-4000:]
        time.sleep(0.2)
    return list(Task.objects.filter(func=func))


def test_previews_queue_one_warm_up_the_cluster_fills_the_metadata_and_the_next_preview_counts_everything(
    sandbox, settings, start_qcluster
):
    user, base = imported_base(sandbox, settings)
    child, expected = genre_child(sandbox, base, SpotifyAs(sandbox))
    artists = base_artists(base)
    api = APIClient()
    api.force_authenticate(user)
    before = route_counts(sandbox)
    sent = sandbox.counters()["total"]

    first = preview(api, base, child)
    second = preview(api, base, child)

    assert sandbox.counters()["total"] == sent  # neither preview asked Spotify anything
    assert first["artists"]["pending"] == second["artists"]["pending"] == len(artists)
    assert first["artists"]["note"] == f"{len(artists)} artists not looked up yet; counts will update."
    assert get_broker(cluster_name(INTERACTIVE)).queue_size() == 1  # one warm-up for both

    cluster = start_qcluster(env=sandbox_cluster_env(sandbox), queues=(INTERACTIVE,))
    state = wait_until_done(api, base, cluster)

    assert (state["warm_up"]["status"], state["pending"]) == (WarmUpStatus.DONE, 0), state
    assert state["warm_up"]["looked_up"] == len(artists) and state["note"] == ""
    (task,) = finished_tasks(WARM_UP_TASK, cluster)
    assert task.success, task.result
    sent = sandbox.counters()["total"]
    after = preview(api, base, child)
    assert sandbox.counters()["total"] == sent
    assert after["draft"]["matching"] == len(expected) and after["artists"]["pending"] == 0
    assert requests_since(before, sandbox)[ARTIST_ROUTE] == len(artists)  # each artist asked once
    assert sandbox.violations() == []
