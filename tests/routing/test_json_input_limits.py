"""Filters too deep or too large, sent to the filter editor's form or to the routing API (a JSON
body, or JSON text in a form-encoded request): a 400 with the message, never a 500, and the child
as it was. The limits themselves: tests/core/test_json_input.py."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from routing.models import ChildPlaylist
from tests.routing.routing_pages_support import GENRES, Setup, make_setup, page_text

pytestmark = pytest.mark.django_db

DEEP = 10_000
DEEP_ARRAYS = "[" * DEEP + "]" * DEEP
DEEP_OBJECTS = '{"a":' * DEEP + "1" + "}" * DEEP
TOO_DEEP = "nested more than 32 levels deep (arrays and objects); the limit is 32."
DEEP_BODIES = pytest.mark.parametrize("deep", [DEEP_ARRAYS, DEEP_OBJECTS], ids=["arrays", "objects"])


@pytest.fixture
def setup() -> Setup:
    return make_setup()


@pytest.fixture
def api(setup) -> APIClient:
    client = APIClient()
    client.force_authenticate(setup.listener)
    return client


def as_stored(child: ChildPlaylist) -> tuple:
    child = ChildPlaylist.objects.get(pk=child.pk)
    return (child.name, child.mode, child.filters)


def save(client, child, filters: str, *, name: str = "Renamed"):
    return client.post(f"/routing/children/{child.pk}/", {"name": name, "mode": "rebuild", "filters": filters})


# --- the filter editor's form -------------------------------------------------------------------
@DEEP_BODIES
def test_the_editor_refuses_deeply_nested_filters_at_the_field_and_saves_nothing(client, setup, deep):
    client.force_login(setup.listener)
    before = as_stored(setup.chill)

    response = save(client, setup.chill, deep)

    assert response.status_code == 400
    assert f"The filters document is {TOO_DEEP}" in page_text(response)
    assert as_stored(setup.chill) == before == ("Chill", "rebuild", GENRES)


def test_the_editor_refuses_filters_over_a_megabyte_with_their_size(client, setup):
    client.force_login(setup.listener)
    huge = json.dumps({"match": "all", "conditions": [], "note": "x" * (1024 * 1024)})

    response = save(client, setup.chill, huge)

    assert response.status_code == 400
    assert f"The filters document is {len(huge):,} bytes; the limit is 1,048,576 bytes (1 MB)." in page_text(response)
    assert as_stored(setup.chill) == ("Chill", "rebuild", GENRES)


def test_the_editor_still_saves_ordinary_filters(client, setup):
    client.force_login(setup.listener)
    clean = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}

    response = save(client, setup.chill, json.dumps(clean))

    assert response.status_code == 302
    assert as_stored(setup.chill) == ("Renamed", "rebuild", clean)


# --- the API ------------------------------------------------------------------------------------
@DEEP_BODIES
def test_a_deep_json_body_to_a_child_is_a_400_with_a_detail_and_changes_nothing(api, setup, deep):
    before = as_stored(setup.chill)

    response = api.patch(f"/api/child-playlists/{setup.chill.pk}/", deep, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": f"The request body is {TOO_DEEP}"}
    assert as_stored(setup.chill) == before


@DEEP_BODIES
def test_deep_filters_as_json_text_in_a_form_encoded_request_are_refused_unread(api, setup, deep):
    # The API reads JSON bodies only (through core.json_input's limits): a form encoding is a 415.
    before = as_stored(setup.chill)

    response = api.patch(f"/api/child-playlists/{setup.chill.pk}/", {"name": "Renamed", "filters": deep})

    assert response.status_code == 415
    assert as_stored(setup.chill) == before


@DEEP_BODIES
def test_a_deep_preview_or_new_child_is_a_400_and_makes_no_child(api, setup, deep):
    children = ChildPlaylist.objects.filter(base=setup.base).count()

    previewed = api.post(f"/api/base-playlists/{setup.base.pk}/preview", deep, content_type="application/json")
    attached = api.post(f"/api/base-playlists/{setup.base.pk}/children/", deep, content_type="application/json")

    assert [previewed.status_code, attached.status_code] == [400, 400]
    assert TOO_DEEP in previewed.json()["detail"] and TOO_DEEP in attached.json()["detail"]
    assert ChildPlaylist.objects.filter(base=setup.base).count() == children


def test_a_body_over_a_megabyte_to_the_routing_api_is_a_400_and_an_ordinary_one_is_saved(api, setup):
    url = f"/api/child-playlists/{setup.chill.pk}/"
    clean = {"match": "all", "conditions": [{"field": "explicit", "op": "is", "value": False}]}
    huge = json.dumps({"name": "Renamed", "filters": clean}).ljust(1024 * 1024 + 1)

    refused = api.patch(url, huge, content_type="application/json")
    saved = api.patch(url, {"name": "Renamed", "filters": clean}, format="json")

    assert (refused.status_code, refused.json()) == (
        400, {"detail": "Request body is 1,048,577 bytes; the limit is 1,048,576 bytes (1 MB)."},
    )  # fmt: skip
    assert saved.status_code == 200 and as_stored(setup.chill) == ("Renamed", "rebuild", clean)
