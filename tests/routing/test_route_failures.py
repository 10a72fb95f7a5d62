"""Route runs that meet failures: never an emptied child, a readable reason, a retry that converges;
and one active route per base, kept by the database."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import SpotifyCredential, SpotifyPause
from routing.models import ChildMode, RouteRun
from routing.services.route import run_route

from core.runs import RunStatus
from spotify.runs import RECONNECT_MESSAGE
from tests.routing.factories import BasePlaylistFactory
from tests.routing.factories import RouteRunFactory
from tests.routing.route_support import (
    NOT_EXPLICIT,
    SpotifyAs,
    add_child,
    expected_not_explicit,
    imported_base,
    route,
)
from tests.routing.test_route import grow_base

pytestmark = pytest.mark.django_db


def test_a_failure_mid_child_leaves_it_partly_added_never_emptied_and_a_retry_converges(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    wanted = grow_base(sandbox, user, base, spotify)
    child = add_child(sandbox, base, name="All", filters={"match": "all", "conditions": []}, routed=True)
    # The child holds a track the base does not have: rebuild mode must remove it, but only
    # once the new content is on Spotify.
    demo = SpotifyAs(sandbox, user="demo")
    owned = next(u for u in sandbox.control("GET", "users")["users"] if u["id"] == "demo")["owned_playlists"]
    old = next(
        obj["uri"] for playlist_id in owned for obj in demo.tracks(playlist_id) if obj["id"] not in wanted
    )
    spotify.add(child.spotify_id, [old])
    path = f"/v1/playlists/{child.spotify_id}/items"
    sandbox.fail_next(method="POST", path=path, kind="latency", latency_ms=0)  # the first 100 go through
    # POST is not idempotent, so the client does not retry it: one 503 is beyond its retries.
    sandbox.fail_next(method="POST", path=path, status=503, count=3)

    event = route(base)

    assert event.status == RunStatus.FAILED
    assert 'Could not update the child playlist “All”' in event.error and "retry" in event.error
    # The first 100 went in where the base has them (before the track to remove), which stays.
    assert spotify.track_ids(child.spotify_id) == [*wanted[:100], old.rsplit(":", 1)[-1]]
    assert event.details["writes"][child.spotify_id]["added"] == 100

    sandbox.control("DELETE", "faults")  # Spotify is back
    retry = route(base)

    assert retry.status == RunStatus.SUCCEEDED, retry.error
    assert spotify.track_ids(child.spotify_id) == wanted


def test_a_failure_on_the_first_write_leaves_the_child_as_it_was(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    assert route(base).status == RunStatus.SUCCEEDED
    before = spotify.track_ids(child.spotify_id)
    child.filters = {"match": "all", "conditions": []}
    child.save()
    for method in ("POST", "PUT"):  # a small child gets one PUT, a big one POSTs
        sandbox.fail_next(method=method, path=f"/v1/playlists/{child.spotify_id}/items", status=503, count=5)

    event = route(base)

    assert event.status == RunStatus.FAILED and '“Clean”' in event.error
    assert spotify.track_ids(child.spotify_id) == before


def test_a_long_retry_after_queues_the_route_again_with_a_schedule(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    child = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    path = f"/v1/playlists/{child.spotify_id}/items"
    for method in ("POST", "PUT"):
        sandbox.fail_next(method=method, path=path, status=429, retry_after=7200)

    event = route(base)

    assert event.status == RunStatus.QUEUED
    assert timedelta(seconds=7100) < event.resume_at - timezone.now() <= timedelta(seconds=7200)
    assert (event.claimed_by, event.error, event.rate_limited) == ("", "", 1)
    task = Schedule.objects.get(name=event.resume_schedule_name())
    assert (task.func, ast.literal_eval(task.args), task.schedule_type) == (
        "routing.tasks.run_route",
        (event.pk,),
        Schedule.ONCE,
    )
    assert run_route(run_id=event.pk).status == RunStatus.QUEUED  # not due yet: untouched

    SpotifyPause.objects.update(until=timezone.now())  # the deployment's pause is over too
    RouteRun.objects.filter(pk=event.pk).update(resume_at=timezone.now())
    resumed = run_route(run_id=event.pk)
    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    tracks = spotify.tracks(base.playlist.spotify_id)
    assert spotify.track_ids(child.spotify_id) == expected_not_explicit(tracks)


def test_a_revoked_grant_fails_the_route_with_the_reconnect_message(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    credential = SpotifyCredential.objects.get(user=user)
    sandbox.revoke(refresh_token=credential.refresh_token)
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    event = route(base)

    assert (event.status, event.error) == (RunStatus.FAILED, RECONNECT_MESSAGE)


def test_filters_not_valid_in_the_app_mode_fail_the_route_naming_the_child(sandbox, settings):
    user, base = imported_base(sandbox, settings, mode="development")
    child = add_child(
        sandbox,
        base,
        name="Popular",
        filters={
            "match": "all",
            "conditions": [{"field": "popularity", "op": "between", "value": {"min": 50, "max": None}}],
        },
        mode=ChildMode.ADD_ONLY,
    )

    event = route(base)

    assert event.status == RunStatus.FAILED and '“Popular”' in event.error
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == []


def test_the_database_refuses_a_second_active_route_for_one_base():
    base = BasePlaylistFactory()
    RouteRunFactory(base=base)
    RouteRunFactory(base=base, status=RunStatus.FAILED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RouteRunFactory(base=base, running=True)
