"""The routing API's children (attach, change, detach, reorder) and filter fields: what each
call stores and the field messages it refuses with. Who may call them, and the 409 while a
route runs: test_routing_api.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from routing.filters import POPULARITY_UNAVAILABLE
from routing.models import BasePlaylist, ChildMode, ChildPlaylist
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory, TrackFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory

pytestmark = pytest.mark.django_db

ROCK_OR_INDIE = {
    "match": "any",
    "conditions": [{"field": "genre", "op": "any_of", "value": ["Rock", " indie "]}],
}
ROCK_OR_INDIE_STORED = {
    "match": "any",
    "conditions": [{"field": "genre", "op": "any_of", "value": ["rock", "indie"]}],
}
POPULAR = {"match": "all", "conditions": [{"field": "popularity", "op": "between", "value": {"min": 50}}]}
BACKWARDS_YEARS = {
    "match": "all",
    "conditions": [{"field": "release_year", "op": "between", "value": {"min": 2010, "max": 2000}}],
}


@pytest.fixture
def base() -> BasePlaylist:
    """A connected listener's base with two children, First and Second."""
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    ChildPlaylistFactory(base=base, name="First")
    ChildPlaylistFactory(base=base, name="Second")
    return base


@pytest.fixture
def api(base) -> APIClient:
    client = APIClient()
    client.force_authenticate(base.user)
    return client


def children_of(base: BasePlaylist) -> list[tuple[str, int]]:
    return list(ChildPlaylist.objects.filter(base=base).order_by("position").values_list("name", "position"))


def attach(api: APIClient, base: BasePlaylist, **body):
    return api.post(f"/api/base-playlists/{base.pk}/children/", body, format="json")


def own(base: BasePlaylist, **fields):
    """One of the base's listener's own playlists, as an import left it in the mirror."""
    return PlaylistFactory(user=base.user, owner_spotify_id=base.user.spotify_credential.spotify_user_id, **fields)


# --- attaching ----------------------------------------------------------------------------------
def test_attaching_a_playlist_answers_201_with_it_last_and_its_filters_normalised(api, base):
    owned = own(base, spotify_id="newchild01", items_total=12)
    response = attach(api, base, spotify_id="newchild01", name="  Loud   ones ", filters=ROCK_OR_INDIE)

    assert response.status_code == 201
    child = ChildPlaylist.objects.get(base=base, spotify_id="newchild01")
    body = response.json()
    # It holds tracks (as last imported): add-only unless rebuild is confirmed.
    assert (body["id"], body["name"], body["position"], body["mode"]) == (child.pk, "Loud ones", 2, "add_only")
    assert body["filters"] == child.filters == ROCK_OR_INDIE_STORED
    assert body["playlist"] == owned.pk
    assert [child["name"] for child in api.get(f"/api/base-playlists/{base.pk}/children/").json()] == [
        "First",
        "Second",
        "Loud ones",
    ]


def test_attaching_a_mirrored_playlist_the_listener_owns_links_it(api, base):
    owned = PlaylistFactory(user=base.user, owner_spotify_id=base.user.spotify_credential.spotify_user_id)

    response = attach(api, base, spotify_id=owned.spotify_id, name=owned.name, mode=ChildMode.ADD_ONLY)

    assert response.status_code == 201
    assert (response.json()["playlist"], response.json()["mode"]) == (owned.pk, "add_only")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"spotify_id": "not an id!", "name": "X"}, "spotify_id", "not a Spotify playlist id"),
        ({"spotify_id": "abc123", "name": "X", "mode": "shuffle"}, "mode", "not a valid choice"),
        ({"spotify_id": "abc123", "name": "   "}, "name", "may not be blank"),
        ({"spotify_id": "abc123"}, "name", "required"),
        ({"name": "X"}, "non_field_errors", "Send either spotify_id"),
        ({"spotify_id": "abc123", "create": True, "name": "X"}, "non_field_errors", "Send either spotify_id"),
    ],
)
def test_a_malformed_child_is_a_400_naming_the_field(api, base, body, field, message):
    response = api.post(f"/api/base-playlists/{base.pk}/children/", body, format="json")

    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert children_of(base) == [("First", 0), ("Second", 1)]


def test_a_playlist_someone_else_owns_or_the_base_itself_cannot_be_a_child(api, base):
    theirs = PlaylistFactory(user=base.user, owner_spotify_id="someone-else", owner_name="Sam")

    not_owned = attach(api, base, spotify_id=theirs.spotify_id, name="Theirs")
    itself = attach(api, base, spotify_id=base.playlist.spotify_id, name="Itself")

    assert not_owned.status_code == itself.status_code == 400
    assert "not yours (it belongs to Sam)" in not_owned.json()["spotify_id"][0]
    assert "child of itself" in itself.json()["spotify_id"][0]
    assert children_of(base) == [("First", 0), ("Second", 1)]


def test_a_track_id_or_any_id_no_import_has_seen_is_a_400_and_nothing_is_attached(api, base):
    # Once a track's id was attached as a child: every preview and route of the base then failed.
    track = TrackFactory()

    as_track = attach(api, base, spotify_id=track.spotify_id, name="A song")
    unseen = attach(api, base, spotify_id="madeOnSpotifyYesterday", name="Unseen")
    preview = api.post(f"/api/base-playlists/{base.pk}/preview", {"read_children": False}, format="json")

    assert as_track.status_code == unseen.status_code == 400
    assert "No playlist with this id is in your library" in as_track.json()["spotify_id"][0]
    assert "No playlist with this id is in your library" in unseen.json()["spotify_id"][0]
    assert children_of(base) == [("First", 0), ("Second", 1)]
    assert preview.status_code == 200


def test_attaching_the_same_playlist_twice_is_a_409_naming_the_child(api, base):
    first = ChildPlaylist.objects.get(base=base, name="First")
    own(base, spotify_id=first.spotify_id)

    response = attach(api, base, spotify_id=first.spotify_id, name="Again")

    assert response.status_code == 409 and response.json()["existing"] == first.pk


def test_invalid_filters_are_a_400_with_the_message_under_the_condition(api, base):
    response = attach(api, base, spotify_id="abc123", name="X", filters=BACKWARDS_YEARS)

    assert response.status_code == 400
    assert response.json() == {
        "filters": {"conditions": {"0": {"value": ["In the year range, the minimum must not be above the maximum."]}}}
    }
    assert not ChildPlaylist.objects.filter(spotify_id="abc123").exists()


def test_popularity_is_refused_in_development_mode_and_accepted_in_extended_mode(api, base, settings):
    own(base, spotify_id="abc123")
    settings.SPOTIFY_APP_MODE = "development"
    refused = attach(api, base, spotify_id="abc123", name="Popular", filters=POPULAR)
    settings.SPOTIFY_APP_MODE = "extended"
    accepted = attach(api, base, spotify_id="abc123", name="Popular", filters=POPULAR)

    assert refused.status_code == 400
    assert refused.json()["filters"]["conditions"]["0"]["field"] == [POPULARITY_UNAVAILABLE]
    assert (
        accepted.status_code == 201 and accepted.json()["filters"]["conditions"][0]["field"] == "popularity"
    )


# --- changing and detaching ------------------------------------------------------------------------
def test_patching_a_child_changes_what_was_sent_and_normalises_filters(api, base):
    child = ChildPlaylist.objects.get(base=base, name="First")

    response = api.patch(
        f"/api/child-playlists/{child.pk}/", {"filters": ROCK_OR_INDIE, "mode": "add_only"}, format="json"
    )

    child.refresh_from_db()
    assert response.status_code == 200 and response.json()["filters"] == ROCK_OR_INDIE_STORED
    assert (child.name, child.mode, child.filters) == ("First", "add_only", ROCK_OR_INDIE_STORED)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": BACKWARDS_YEARS}, "filters"),
        ({"filters": POPULAR}, "filters"),  # tests run in Development mode
        ({"filters": "everything"}, "filters"),
        ({"mode": "shuffle"}, "mode"),
        ({"name": ""}, "name"),
        ({"name": "x" * 501}, "name"),
    ],
)
def test_a_bad_change_to_a_child_is_a_400_and_changes_nothing(api, base, body, field):
    child = ChildPlaylist.objects.get(base=base, name="First")
    before = ChildPlaylist.objects.filter(pk=child.pk).values().get()

    response = api.patch(f"/api/child-playlists/{child.pk}/", body, format="json")

    assert response.status_code == 400 and field in response.json()
    assert ChildPlaylist.objects.filter(pk=child.pk).values().get() == before


def test_deleting_a_child_closes_the_gap_in_the_order(api, base):
    first = ChildPlaylist.objects.get(base=base, name="First")
    ChildPlaylistFactory(base=base, name="Third")

    assert api.delete(f"/api/child-playlists/{first.pk}/").status_code == 204

    assert children_of(base) == [("Second", 0), ("Third", 1)]
    assert api.get(f"/api/child-playlists/{first.pk}/").status_code == 404


# --- order ----------------------------------------------------------------------------------------
def test_reordering_answers_the_children_in_their_new_order(api, base):
    first, second = ChildPlaylist.objects.filter(base=base).order_by("position")

    response = api.post(
        f"/api/base-playlists/{base.pk}/children/order", {"children": [second.pk, first.pk]}, format="json"
    )

    assert response.status_code == 200
    assert [(child["id"], child["position"]) for child in response.json()] == [(second.pk, 0), (first.pk, 1)]
    assert children_of(base) == [("Second", 0), ("First", 1)]


@pytest.mark.parametrize("order", ["missing one", "twice", "another base's", "not ids"])
def test_a_bad_order_is_a_400_about_the_children_and_changes_nothing(api, base, order):
    first, second = ChildPlaylist.objects.filter(base=base).order_by("position")
    elsewhere = ChildPlaylistFactory(base=BasePlaylistFactory(user=base.user))
    ids = {
        "missing one": [second.pk],
        "twice": [second.pk, first.pk, first.pk],
        "another base's": [second.pk, first.pk, elsewhere.pk],
        "not ids": ["second", "first"],
    }[order]

    response = api.post(f"/api/base-playlists/{base.pk}/children/order", {"children": ids}, format="json")

    assert response.status_code == 400 and "children" in response.json()
    assert children_of(base) == [("First", 0), ("Second", 1)]


# --- filter fields ----------------------------------------------------------------------------------
def test_the_filter_fields_follow_the_app_mode(api, settings):
    settings.SPOTIFY_APP_MODE = "development"
    development = api.get("/api/filter-fields/").json()
    settings.SPOTIFY_APP_MODE = "extended"
    extended = api.get("/api/filter-fields/").json()

    names = [field["name"] for field in development["fields"]]
    assert development["mode"] == "development" and "popularity" not in names
    assert {"genre", "release_year", "explicit"} <= set(names)
    assert [field["name"] for field in extended["fields"]] == [*names[:7], "popularity", *names[7:]]
    year = next(field for field in development["fields"] if field["name"] == "release_year")
    assert year["widget"]["type"] == "range" and {"name", "label"} <= set(year["operators"][0])
    assert set(year) == {"name", "label", "help_text", "operators", "widget", "needs", "modes"}
