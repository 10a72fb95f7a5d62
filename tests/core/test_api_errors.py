"""Errors under /api/ are JSON whoever answers them, and what the API reads is read strictly:
bounded ids, page numbers from 1, blank query parameters refused, JSON bodies only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.insights.factories import GeneratedInsightFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True], ids=["deployed", "debug"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/base-playlists/abc/",  # not an id
        "/api/base-playlists/-1/",
        "/api/insights/1234567890123456789",  # 19 digits: past what a database key holds
        "/api/library/playlists/null%2Cnull/",
        "/api/no-such-thing/",
    ],
)
def test_an_address_no_api_view_matches_is_a_json_404(api, settings, debug, path):
    settings.DEBUG = debug

    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found: no such address in this API."}


@pytest.mark.urls("tests.core.api_errors_urls")
def test_a_server_error_under_the_api_is_json_and_a_page_keeps_djangos_page(listener):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(listener)

    api = client.get("/api/failing")
    page = client.get("/failing-page")

    assert api.status_code == page.status_code == 500
    assert api.json() == {"detail": "The server failed; the error is logged. Try again later."}
    assert page["Content-Type"].startswith("text/html")


def test_a_missing_page_outside_the_api_stays_djangos_own(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_bad_method_keeps_its_allow_header_and_answers_json(api):
    response = api.delete("/api/me/")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json" and "GET" in response["Allow"]


def test_a_foreign_key_lookup_with_the_largest_id_is_a_404_not_an_overflow(api):
    response = api.get("/api/insights/", {"snapshot": 10**18 - 1})
    past = api.get("/api/insights/", {"snapshot": 10**18})

    assert response.status_code == 200 and response.json()["results"] == []
    assert past.status_code == 400 and "snapshot" in past.json()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.5", "last", "٣"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_at_page(api, listener, page):
    SyncEventFactory(user=listener)

    response = api.get("/api/sync-events/", {"page": page})

    assert response.status_code == 400
    assert response.json() == {"page": ["A page is a whole number from 1."]}


def test_a_page_past_the_last_is_a_404_and_the_first_pages_are_served(api, listener):
    SyncEventFactory(user=listener)

    assert api.get("/api/sync-events/", {"page": 1}).status_code == 200
    past = api.get("/api/sync-events/", {"page": 2})

    assert past.status_code == 404 and past.json() == {"detail": "No such page: past the last one."}


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/listening/snapshots", "date_to"),
        ("/api/listening/snapshots", "time_range"),
        ("/api/insights/", "type"),
        ("/api/insights/", "snapshot"),
        ("/api/sync-events/", "status"),
    ],
)
def test_a_query_parameter_given_blank_is_refused_not_ignored(api, path, parameter):
    response = api.get(path, {parameter: ""})

    assert response.status_code == 400
    assert response.json() == {parameter: ["Give a value, or leave the parameter out."]}


def test_a_run_list_filter_given_blank_or_unknown_is_a_400_at_status(api, listener):
    from tests.routing.factories import BasePlaylistFactory

    base = BasePlaylistFactory(user=listener)

    blank = api.get(f"/api/base-playlists/{base.pk}/runs/", {"status": ""})
    unknown = api.get(f"/api/base-playlists/{base.pk}/runs/", {"status": "done"})

    assert blank.status_code == unknown.status_code == 400
    assert "status" in blank.json() and "status" in unknown.json()


def test_a_blank_import_scope_is_refused_with_a_field_message(api):
    response = api.post("/api/library/import/", {"scope": ""}, format="json")

    assert response.status_code == 400 and "scope" in response.json()


def test_a_form_encoded_body_is_refused_with_415(api):
    response = api.post("/api/library/import/", {"scope": ""}, format="multipart")

    assert response.status_code == 415 and "detail" in response.json()


def test_an_insight_is_read_at_its_id(api, listener):
    insight = GeneratedInsightFactory(user=listener)

    assert api.get(f"/api/insights/{insight.pk}").json()["id"] == insight.pk


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"playlist": "1"}, "playlist", "Must be a whole number."),
        ({"playlist": 1, "auto_route_after_import": 0}, "auto_route_after_import", "Must be true or false."),
        ({"playlist": True}, "playlist", "Must be a whole number."),
        ({"playlist": [1]}, "playlist", "Must be a whole number."),
    ],
)
def test_a_body_value_of_another_json_type_than_the_schemas_is_a_400_at_its_field(api, listener, body, field, message):
    from routing.models import BasePlaylist
    from tests.library.factories import PlaylistFactory

    PlaylistFactory(user=listener)

    response = api.post("/api/base-playlists/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert not BasePlaylist.objects.exists()


def test_every_wrongly_typed_or_missing_field_is_named_at_once(api):
    response = api.post("/api/insights/generate", {"snapshot": "latest", "tone": 3}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "snapshot": ["Must be a whole number."],
        "tone": ["Must be a string."],
        "type": ["This field is required."],
    }


def test_a_list_of_ids_takes_whole_numbers_only(api, listener):
    from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory

    base = BasePlaylistFactory(user=listener)
    child = ChildPlaylistFactory(base=base)

    response = api.post(f"/api/base-playlists/{base.pk}/children/order", {"children": [str(child.pk)]}, format="json")

    assert response.status_code == 400
    assert response.json() == {"children": ["Each item: Must be a whole number."]}


def test_a_session_write_without_its_csrf_token_is_the_documented_json_403(listener):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(listener)

    response = browser.post("/api/library/import/", {}, content_type="application/json")

    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
