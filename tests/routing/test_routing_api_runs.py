"""The routing API's runs: starting a route, its status and estimate, retrying it, a route event's
own figures, the preview (against the live sandbox: it says what the route then does, and
writes nothing), children made on Spotify, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from routing.models import BasePlaylist, ChildPlaylist, RouteRun, RouteRunKind

from core.runs import RunStatus
from tests.accounts.factories import SpotifyCredentialFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.sync.factories import SyncEventFactory
from tests.routing.factories import RouteRunFactory
from tests.routing.route_support import (
    DELETE_ITEMS,
    NOT_EXPLICIT,
    POST_ITEMS,
    YEARS_2000_2015,
    SpotifyAs,
    add_child,
    expected_not_explicit,
    expected_years,
    imported_base,
    route,
)
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db

CREATE_PLAYLIST = "POST /v1/me/playlists"


@pytest.fixture
def base() -> BasePlaylist:
    """A connected listener's base with one child."""
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    ChildPlaylistFactory(base=base, name="First")
    return base


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def route_event(base: BasePlaylist, status: str, **fields) -> RouteRun:
    return RouteRunFactory(base=base, status=status, **fields)


# --- POST /api/base-playlists/{id}/route (and its deprecated alias .../sync) ------------------------------
@pytest.mark.parametrize("action", ["route", "sync"])
def test_posting_route_queues_one_route_202_then_answers_200_with_the_same_one(
    base, queue, django_capture_on_commit_callbacks, action
):
    api = signed_in(base.user)

    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(f"/api/base-playlists/{base.pk}/{action}")
        second = api.post(f"/api/base-playlists/{base.pk}/{action}")

    event = RouteRun.objects.get(kind=RouteRunKind.ROUTE)
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"] == event.pk
    assert (first.json()["kind"], first.json()["base"], first.json()["trigger"]) == ("route", base.pk, "api")
    assert first.json()["progress"]["children_done"] == 0
    assert queue.calls == [("routing.tasks.run_route", event.pk)]


@pytest.mark.parametrize(
    ("credential", "message"),
    [("none", "Connect Spotify first"), ("reconnect", "sign in with Spotify again")],
)
def test_syncing_without_a_usable_spotify_connection_is_a_409_with_a_message(queue, credential, message):
    user = SpotifyCredentialFactory(reconnect=True).user if credential == "reconnect" else None
    base = BasePlaylistFactory(**({"user": user} if user else {}))

    response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/route")

    assert response.status_code == 409 and message in response.json()["detail"]
    assert not RouteRun.objects.exists() and queue.calls == []


# --- GET /api/base-playlists/{id}/route-status --------------------------------------------------------
def test_the_status_of_a_base_never_routed_has_no_runs_and_a_default_estimate(base):
    body = signed_in(base.user).get(f"/api/base-playlists/{base.pk}/route-status").json()

    assert (body["active"], body["last"]) == (None, None)
    assert body["estimate"]["measured"] is False and body["estimate"]["requests"] >= 1
    assert body["estimate"]["seconds"] == pytest.approx(
        body["estimate"]["requests"] * body["estimate"]["seconds_per_request"], abs=0.1
    )


def test_the_status_names_the_active_route_and_the_newest_finished_one(base):
    route_event(base, RunStatus.SUCCEEDED)
    newest = route_event(base, RunStatus.FAILED, error="Spotify answered HTTP 502.")
    running = route_event(base, RunStatus.RUNNING, children_total=1, children_done=0)
    SyncEventFactory(user=base.user, completed=True)  # an import is not this base's route

    body = signed_in(base.user).get(f"/api/base-playlists/{base.pk}/route-status").json()

    assert (body["active"]["id"], body["active"]["status"]) == (running.pk, "running")
    assert (body["last"]["id"], body["last"]["error"]) == (newest.pk, "Spotify answered HTTP 502.")


# --- a route event's own figures -------------------------------------------------------------------------
def test_a_route_event_shows_its_base_children_tracks_cache_and_writes(base):
    event = route_event(
        base,
        RunStatus.SUCCEEDED,
        children_total=2,
        children_done=2,
        tracks=140,
        details={
            "writes": {"child1": {"added": 12, "removed": 3, "write_requests": 2, "requests": 4}},
            "cache": {"hits": 30, "misses": 10, "mirror": 5, "errors": 0, "hit_rate": 0.75},
            "playlist_items_cache": {"hits": 0, "misses": 2, "mirror": 0, "errors": 0, "hit_rate": 0.0},
            "duration_ms": 5120,
        },
    )
    imported = SyncEventFactory(user=base.user, completed=True)
    api = signed_in(base.user)

    body = api.get(f"/api/base-playlists/{base.pk}/runs/{event.pk}/").json()

    assert (body["base"], body["restore_of"]) == (base.pk, None)
    assert body["progress"] == {"children_done": 2, "children_total": 2, "tracks": 140, "percent": 100}
    assert body["route"] == {
        "cache": {"hits": 30, "misses": 10, "mirror": 5, "errors": 0, "hit_rate": 0.75},
        "playlist_items_cache": {"hits": 0, "misses": 2, "mirror": 0, "errors": 0, "hit_rate": 0.0},
        "writes": {"child1": {"added": 12, "removed": 3, "write_requests": 2, "requests": 4}},
        "duration_ms": 5120,
        "confirmation": None,
    }
    queued_run = route_event(base, RunStatus.QUEUED)
    queued = api.get(f"/api/base-playlists/{base.pk}/runs/{queued_run.pk}/").json()["route"]
    assert (queued["cache"], queued["writes"], queued["duration_ms"]) == (None, {}, None)
    listed = api.get(f"/api/base-playlists/{base.pk}/runs/").json()
    assert [run["id"] for run in listed] == [queued_run.pk, event.pk]
    # Imports are sync events only: no base, no route figures there.
    assert {"base", "route"}.isdisjoint(api.get(f"/api/sync-events/{imported.pk}/").json())


# --- POST /api/base-playlists/{id}/runs/{run_id}/retry/ -------------------------------------------------------
def test_retrying_a_failed_route_answers_201_with_a_new_route_of_the_same_base(
    base, queue, django_capture_on_commit_callbacks
):
    failed = route_event(base, RunStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/runs/{failed.pk}/retry/")

    assert response.status_code == 201
    body = response.json()
    assert (body["retry_of"], body["kind"], body["base"], body["trigger"]) == (
        failed.pk,
        "route",
        base.pk,
        "retry",
    )
    assert queue.calls == [("routing.tasks.run_route", body["id"])]


def test_retrying_a_completed_route_is_a_409_with_a_message(base, queue):
    completed = route_event(base, RunStatus.SUCCEEDED)

    response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/runs/{completed.pk}/retry/")

    assert response.status_code == 409
    assert "only a failed or cancelled route can be retried" in response.json()["detail"]
    assert queue.calls == []


def test_retrying_while_another_route_of_the_base_runs_is_a_409_naming_it(base, queue):
    failed = route_event(base, RunStatus.FAILED)
    running = route_event(base, RunStatus.RUNNING)

    response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/runs/{failed.pk}/retry/")

    assert response.status_code == 409 and response.json()["active_event"] == running.pk


def test_a_stranger_cannot_retry_the_owners_route(base, queue):
    failed = route_event(base, RunStatus.FAILED)

    response = signed_in(SpotifyCredentialFactory().user).post(f"/api/base-playlists/{base.pk}/runs/{failed.pk}/retry/")

    assert response.status_code == 404 and RouteRun.objects.count() == 1


# --- POST /api/base-playlists/{id}/preview -----------------------------------------------------------------
def test_the_preview_lists_exactly_what_the_route_then_adds_and_writes_nothing(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT, routed=True)
    explicit = next(obj for obj in spotify.tracks(base.playlist.spotify_id) if obj["explicit"])
    spotify.add(clean.spotify_id, [explicit["uri"]])  # not wanted there: the route removes it
    before = route_counts(sandbox)

    response = signed_in(user).post(f"/api/base-playlists/{base.pk}/preview", {}, format="json")

    made = requests_since(before, sandbox)
    assert response.status_code == 200, response.content
    assert POST_ITEMS not in made and DELETE_ITEMS not in made and CREATE_PLAYLIST not in made
    assert spotify.track_ids(clean.spotify_id) == [explicit["id"]]
    body = response.json()
    (child,) = body["children"]
    assert (child["child_id"], child["current"], body["draft"]) == (clean.pk, 1, None)
    assert body["base_tracks"] == len(spotify.tracks(base.playlist.spotify_id))
    assert body["spotify_requests"] == sum(made.values())
    assert [line["track_id"] for line in child["remove"]] == [explicit["id"]]
    added = [line["track_id"] for line in child["add"]]
    assert added == expected_not_explicit(spotify.tracks(base.playlist.spotify_id))

    assert route(base).status == RunStatus.SUCCEEDED
    assert spotify.track_ids(clean.spotify_id) == added


def test_a_draft_preview_counts_without_reading_children_or_saving_the_draft(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    tracks = SpotifyAs(sandbox).tracks(base.playlist.spotify_id)
    route_event(base, RunStatus.RUNNING)  # a preview reads only: allowed during a route
    before = route_counts(sandbox)

    response = signed_in(user).post(
        f"/api/base-playlists/{base.pk}/preview",
        {"filters": YEARS_2000_2015, "child": clean.pk, "mode": "add_only", "read_children": False},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert requests_since(before, sandbox) == {}
    draft = response.json()["draft"]
    assert (draft["child_id"], draft["mode"], draft["current"], draft["add"]) == (
        clean.pk,
        "add_only",
        None,
        None,
    )
    assert draft["matching"] == len(expected_years(tracks, 2000, 2015))
    assert ChildPlaylist.objects.get(pk=clean.pk).filters["conditions"][0]["field"] == "explicit"


@pytest.mark.parametrize(
    ("body", "code", "key"),
    [
        ({"filters": {"match": "some", "conditions": []}}, 400, "filters"),
        ({"filters": {"match": "all", "conditions": []}, "mode": "shuffle"}, 400, "mode"),
        ({"read_children": "maybe"}, 400, "read_children"),
        ({"filters": {"match": "all", "conditions": []}, "child": "elsewhere"}, 404, "detail"),
    ],
)
def test_a_bad_preview_request_is_refused_before_asking_spotify(base, body, code, key):
    elsewhere = ChildPlaylistFactory(base=BasePlaylistFactory(user=base.user))
    if body.get("child") == "elsewhere":
        body = {**body, "child": elsewhere.pk}

    response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/preview", body, format="json")

    assert response.status_code == code and key in response.json()


def test_a_preview_without_a_usable_spotify_connection_is_a_409_saying_why():
    base = BasePlaylistFactory(user=SpotifyCredentialFactory(reconnect=True).user)

    response = signed_in(base.user).post(f"/api/base-playlists/{base.pk}/preview", {}, format="json")

    assert response.status_code == 409 and "sign in with Spotify again" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fault", "code"),
    [({"status": 429, "retry_after": 3600, "count": 5}, 429), ({"status": 503, "count": 50}, 502)],
)
def test_a_preview_spotify_refuses_says_why_and_when_to_come_back(sandbox, settings, fault, code):
    user, base = imported_base(sandbox, settings)
    child = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    sandbox.fail_next(method="GET", path=f"/v1/playlists/{child.spotify_id}", **fault)

    response = signed_in(user).post(f"/api/base-playlists/{base.pk}/preview", {}, format="json")

    assert response.status_code == code, response.content
    assert response.json()["detail"]
    if code == 429:
        assert int(response["Retry-After"]) > 60 and "to pause until" in response.json()["detail"]


def test_a_preview_of_a_child_gone_from_spotify_is_a_409_asking_to_remove_it_not_a_502(sandbox, settings):
    # Only the listener can fix it (remove the child): not Spotify failing, which a 502 would say.
    user, base = imported_base(sandbox, settings)
    child = add_child(sandbox, base, name="Deleted on Spotify", filters=NOT_EXPLICIT)
    sandbox.fail_next(method="GET", path=f"/v1/playlists/{child.spotify_id}", status=404, count=5)

    response = signed_in(user).post(f"/api/base-playlists/{base.pk}/preview", {}, format="json")

    assert response.status_code == 409, response.content
    assert "“Deleted on Spotify” no longer exists on Spotify (404). Remove it" in response.json()["detail"]


# --- POST /api/base-playlists/{id}/children/ with create: true -------------------------------------------
def test_creating_a_child_makes_a_private_playlist_on_spotify_and_attaches_it(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    route_event(base, RunStatus.SUCCEEDED)  # a finished route does not stop edits
    before = route_counts(sandbox)

    response = signed_in(user).post(
        f"/api/base-playlists/{base.pk}/children/",
        {"create": True, "name": "Made here", "filters": NOT_EXPLICIT},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert requests_since(before, sandbox)[CREATE_PLAYLIST] == 1
    child = ChildPlaylist.objects.get(pk=response.json()["id"])
    assert (child.name, child.base_id, child.spotify_id) == (
        "Made here",
        base.pk,
        response.json()["spotify_id"],
    )
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == []  # it exists on Spotify, empty


def test_a_child_spotify_refuses_to_create_is_a_502_and_nothing_is_attached(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    sandbox.fail_next(method="POST", path="/v1/me/playlists", status=403, body={"error": {"status": 403}})

    response = signed_in(user).post(
        f"/api/base-playlists/{base.pk}/children/", {"create": True, "name": "Refused"}, format="json"
    )

    assert response.status_code == 502 and "Spotify did not create" in response.json()["detail"]
    assert not ChildPlaylist.objects.filter(base=base).exists()


# --- the schema --------------------------------------------------------------------------------------------
def test_the_schema_documents_every_routing_path_and_the_conflicts(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    expected = {
        "/api/base-playlists/": {"get", "post"},
        "/api/base-playlists/{id}/": {"get", "patch", "delete"},
        "/api/base-playlists/{id}/children/": {"get", "post"},
        "/api/base-playlists/{id}/children/order": {"post"},
        "/api/base-playlists/{id}/route": {"post"},
        "/api/base-playlists/{id}/route-status": {"get"},
        "/api/base-playlists/{id}/runs/": {"get"},
        "/api/base-playlists/{id}/runs/{run_id}/": {"get"},
        "/api/base-playlists/{id}/runs/{run_id}/retry/": {"post"},
        "/api/base-playlists/{id}/runs/{run_id}/cancel": {"post"},
        "/api/base-playlists/{id}/runs/{run_id}/confirm": {"post"},
        "/api/base-playlists/{id}/runs/{run_id}/discard": {"post"},
        "/api/base-playlists/{id}/runs/{run_id}/restore": {"post"},
        "/api/base-playlists/{id}/runs/{run_id}/backups/": {"get"},
        "/api/base-playlists/{id}/preview": {"post"},
        "/api/base-playlists/{id}/metadata": {"get"},
        "/api/child-playlists/{id}/": {"get", "patch", "delete"},
        "/api/filter-fields/": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    assert {"200", "202", "409"} <= set(paths["/api/base-playlists/{id}/route"]["post"]["responses"])
    # The paths from before "sync" meant imports only answer the same, marked deprecated.
    for old in ("/api/base-playlists/{id}/sync", "/api/base-playlists/{id}/sync-status",
                "/api/sync-events/{id}/confirm", "/api/sync-events/{id}/restore"):  # fmt: skip
        (operation,) = paths[old].values()
        assert operation.get("deprecated") is True, old
    assert "409" in paths["/api/child-playlists/{id}/"]["patch"]["responses"]
    conflict = schema["components"]["schemas"]["RoutingConflict"]["properties"]
    assert {"detail", "active_event", "existing"} <= set(conflict)
    assert "route" in schema["components"]["schemas"]["RouteRun"]["properties"]


def test_the_schema_still_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
