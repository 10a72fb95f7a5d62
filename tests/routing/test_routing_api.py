"""The routing API's set-up endpoints (bases, children, order, filter fields): who may call each
one, what it changes, how it refuses, and the 409 every set-up edit answers while a route of
the base is queued or running. Route runs, previews and the schema: test_routing_api_runs.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from library.models import ItemsStatus, Playlist
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, RouteRun

from core.runs import RunStatus
from tests.accounts.factories import SpotifyCredentialFactory, api_token_secret
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.factories import RouteRunFactory

pytestmark = pytest.mark.django_db

NOT_EXPLICIT = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}
YEARS_2000_ON = {
    "match": "any",
    "conditions": [{"field": "release_year", "op": "between", "value": {"min": 2000}}],
}
POPULAR = {"match": "all", "conditions": [{"field": "popularity", "op": "between", "value": {"min": 50}}]}


@dataclass
class World:
    owner: User
    stranger: User
    base: BasePlaylist
    first: ChildPlaylist
    second: ChildPlaylist
    spare: Playlist  # another of the owner's playlists, not a base yet
    own: Playlist  # a playlist the owner made on Spotify, imported: it may become a child


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def world() -> World:
    owner = SpotifyCredentialFactory().user
    base = BasePlaylistFactory(user=owner)
    return World(
        owner=owner,
        stranger=SpotifyCredentialFactory().user,
        base=base,
        first=ChildPlaylistFactory(base=base, name="First", filters=NOT_EXPLICIT),
        second=ChildPlaylistFactory(base=base, name="Second"),
        spare=PlaylistFactory(user=owner),
        own=PlaylistFactory(user=owner, owner_spotify_id=owner.spotify_credential.spotify_user_id),
    )


@dataclass(frozen=True)
class Call:
    method: str
    url: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None
    ok: int | None = None  # the owner's answer; None: it needs Spotify (see test_routing_api_runs)


def base_url(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/base-playlists/{w.base.pk}/{suffix}"


def child_url(w: World) -> str:
    return f"/api/child-playlists/{w.first.pk}/"


CALLS = {
    "list bases": Call("get", lambda w: "/api/base-playlists/", ok=200),
    "create base": Call("post", lambda w: "/api/base-playlists/", lambda w: {"playlist": w.spare.pk}, 201),
    "read base": Call("get", base_url(), ok=200),
    "change base": Call("patch", base_url(), lambda w: {"first_match_only": True}, 200),
    "delete base": Call("delete", base_url(), ok=204),
    "list children": Call("get", base_url("children/"), ok=200),
    "attach child": Call(
        "post", base_url("children/"), lambda w: {"spotify_id": w.own.spotify_id, "name": "Fresh"}, 201
    ),
    "create child on spotify": Call("post", base_url("children/"), lambda w: {"create": True, "name": "New"}),
    "reorder children": Call(
        "post", base_url("children/order"), lambda w: {"children": [w.second.pk, w.first.pk]}, 200
    ),
    "route": Call("post", base_url("route"), ok=202),
    "route status": Call("get", base_url("route-status"), ok=200),
    "list runs": Call("get", base_url("runs/"), ok=200),
    # The deprecated paths from before "sync" meant imports only: the same answers.
    "sync": Call("post", base_url("sync"), ok=202),
    "sync status": Call("get", base_url("sync-status"), ok=200),
    "preview": Call("post", base_url("preview"), lambda w: {"read_children": False}, 200),
    "artist metadata": Call("get", base_url("metadata"), ok=200),
    "read child": Call("get", child_url, ok=200),
    "rename child": Call("patch", child_url, lambda w: {"name": "Renamed"}, 200),
    "change child mode": Call("patch", child_url, lambda w: {"mode": ChildMode.ADD_ONLY}, 200),
    "change child filters": Call("patch", child_url, lambda w: {"filters": YEARS_2000_ON}, 200),
    "delete child": Call("delete", child_url, ok=204),
    "filter fields": Call("get", lambda w: "/api/filter-fields/", ok=200),
}
# Nothing of the owner's in these: a stranger gets their own (empty) answer rather than a 404.
NOT_PERSONAL = {"list bases", "filter fields"}
# Every set-up edit: refused with 409 while a route of the base is queued or running.
PROTECTED = [
    "change base",
    "delete base",
    "attach child",
    "create child on spotify",
    "reorder children",
    "rename child",
    "change child mode",
    "change child filters",
    "delete child",
]


def call(api: APIClient, world: World, name: str):
    spec = CALLS[name]
    body = spec.body(world) if spec.body else None
    return getattr(api, spec.method)(spec.url(world), body, format="json")


def set_up(base: BasePlaylist) -> tuple:
    """Everything a set-up edit could change, and the route events, as plain values."""
    return (
        list(BasePlaylist.objects.filter(pk=base.pk).values()),
        list(ChildPlaylist.objects.filter(base_id=base.pk).order_by("pk").values()),
        list(BasePlaylist.objects.order_by("pk").values_list("pk", flat=True)),
        list(RouteRun.objects.order_by("pk").values_list("pk", "status")),
    )


def route_event(base: BasePlaylist, status: str) -> RouteRun:
    return RouteRunFactory(base=base, status=status)


# --- who may call what ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", [name for name, spec in CALLS.items() if spec.ok])
def test_the_owner_gets_an_answer_from_every_endpoint(api, world, queue, name):
    api.force_authenticate(world.owner)

    response = call(api, world, name)

    assert response.status_code == CALLS[name].ok, response.content


@pytest.mark.parametrize("name", [name for name in CALLS if name not in NOT_PERSONAL])
def test_a_stranger_gets_404_from_every_endpoint_of_the_owners_and_nothing_changes(api, world, queue, name):
    before = set_up(world.base)
    api.force_authenticate(world.stranger)

    response = call(api, world, name)

    assert response.status_code == 404
    assert set_up(world.base) == before and queue.calls == []


def test_a_stranger_lists_only_their_own_bases(api, world):
    theirs = BasePlaylistFactory(user=world.stranger)
    api.force_authenticate(world.stranger)

    body = api.get("/api/base-playlists/").json()

    assert [base["id"] for base in body["results"]] == [theirs.pk]


@pytest.mark.parametrize("name", list(CALLS))
def test_anonymous_callers_get_401_with_a_token_challenge_and_nothing_changes(api, world, queue, name):
    before = set_up(world.base)

    response = call(api, world, name)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert set_up(world.base) == before


def test_scripts_use_an_api_token_and_pages_their_session(world):
    secret = api_token_secret(world.owner)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    page = APIClient()
    page.force_login(world.owner)

    assert script.get(f"/api/base-playlists/{world.base.pk}/").status_code == 200
    assert (
        page.patch(f"/api/child-playlists/{world.first.pk}/", {"name": "X"}, format="json").status_code == 200
    )


# --- nothing changes while a route runs -------------------------------------------------------------
@pytest.mark.parametrize("route_status", [RunStatus.QUEUED, RunStatus.RUNNING])
@pytest.mark.parametrize("name", PROTECTED)
def test_every_set_up_edit_answers_409_naming_the_active_route_and_changes_nothing(
    api, world, queue, name, route_status
):
    active = route_event(world.base, route_status)
    before = set_up(world.base)
    api.force_authenticate(world.owner)

    response = call(api, world, name)

    assert response.status_code == 409
    assert response.json()["active_event"] == active.pk
    at = timezone.localtime(active.created_at)
    assert f"the route of {at.day} {at:%b %Y, %H:%M}" in response.json()["detail"]
    assert set_up(world.base) == before and queue.calls == []


@pytest.mark.parametrize("name", [name for name in PROTECTED if CALLS[name].ok])
def test_the_same_edits_succeed_once_the_route_completed(api, world, name):
    route_event(world.base, RunStatus.SUCCEEDED)
    before = set_up(world.base)
    api.force_authenticate(world.owner)

    response = call(api, world, name)

    assert response.status_code == CALLS[name].ok, response.content
    assert set_up(world.base) != before


# --- bases ----------------------------------------------------------------------------------------
def test_creating_a_base_answers_201_with_its_options_and_no_children_yet(api, world):
    api.force_authenticate(world.owner)

    response = api.post(
        "/api/base-playlists/", {"playlist": world.spare.pk, "auto_route_after_import": True}, format="json"
    )

    base = BasePlaylist.objects.get(playlist=world.spare)
    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["playlist"]["id"], body["playlist"]["name"]) == (
        base.pk,
        world.spare.pk,
        world.spare.name,
    )
    assert (body["first_match_only"], body["auto_route_after_import"]) == (False, True)
    assert (body["children"], body["active_route"], body["last_route"]) == ([], None, None)


def test_a_playlist_already_a_base_is_a_409_naming_the_existing_base(api, world):
    api.force_authenticate(world.owner)

    response = api.post("/api/base-playlists/", {"playlist": world.base.playlist_id}, format="json")

    assert response.status_code == 409
    assert response.json()["existing"] == world.base.pk and "already a base" in response.json()["detail"]


def test_another_users_playlist_cannot_become_a_base(api, world):
    api.force_authenticate(world.stranger)

    response = api.post("/api/base-playlists/", {"playlist": world.spare.pk}, format="json")

    assert response.status_code == 404
    assert not BasePlaylist.objects.filter(playlist=world.spare).exists()


def test_a_playlist_whose_tracks_spotify_hides_is_a_400_about_the_playlist(api, world):
    hidden = PlaylistFactory(user=world.owner, items_status=ItemsStatus.NOT_AVAILABLE)
    api.force_authenticate(world.owner)

    response = api.post("/api/base-playlists/", {"playlist": hidden.pk}, format="json")

    assert response.status_code == 400
    assert "does not let this app read" in response.json()["playlist"][0]
    assert api.post("/api/base-playlists/", {}, format="json").json()["playlist"] == [
        "This field is required."
    ]


def test_the_list_shows_children_in_order_and_the_route_state_in_a_few_queries(
    api, world, django_assert_max_num_queries
):
    older = route_event(world.base, RunStatus.FAILED)
    newer = route_event(world.base, RunStatus.SUCCEEDED)
    running = route_event(world.base, RunStatus.RUNNING)
    others = [BasePlaylistFactory(user=world.owner) for _ in range(4)]
    for other in others:
        ChildPlaylistFactory(base=other)
        route_event(other, RunStatus.SUCCEEDED)
    world.first.position, world.second.position = 5, 0
    ChildPlaylist.objects.bulk_update([world.first, world.second], ["position"])
    api.force_authenticate(world.owner)

    with django_assert_max_num_queries(4):  # count, bases, children, route events
        body = api.get("/api/base-playlists/").json()

    assert body["count"] == 5
    (mine,) = [base for base in body["results"] if base["id"] == world.base.pk]
    assert [child["name"] for child in mine["children"]] == ["Second", "First"]
    assert mine["active_route"] == running.pk
    assert mine["last_route"]["id"] == newer.pk != older.pk
    assert mine["last_route"]["progress"]["children_total"] == 0


def test_patching_a_base_changes_only_the_options_sent(api, world):
    api.force_authenticate(world.owner)

    body = api.patch(
        f"/api/base-playlists/{world.base.pk}/", {"first_match_only": True}, format="json"
    ).json()

    world.base.refresh_from_db()
    assert body["first_match_only"] is True and world.base.first_match_only is True
    assert world.base.auto_route_after_import is False
    bad = api.patch(f"/api/base-playlists/{world.base.pk}/", {"first_match_only": "perhaps"}, format="json")
    assert bad.status_code == 400 and "first_match_only" in bad.json()


def test_deleting_a_base_removes_its_children_and_keeps_the_playlist(api, world):
    api.force_authenticate(world.owner)

    assert api.delete(f"/api/base-playlists/{world.base.pk}/").status_code == 204

    assert not ChildPlaylist.objects.filter(pk__in=[world.first.pk, world.second.pk]).exists()
    assert Playlist.objects.filter(pk=world.base.playlist_id).exists()
    assert api.get(f"/api/base-playlists/{world.base.pk}/").status_code == 404
