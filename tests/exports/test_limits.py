"""Downloads of exports count against one per-listener limit, pages' and API's alike: past it, a
429 that says when to come back (Retry-After too), while other listeners and the exports page
itself are not held back."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory, api_token_secret
from tests.exports.support import json_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


def api_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_secret(user)}")
    return api


def test_the_third_download_of_an_hour_is_refused_with_when_to_come_back(client, owner, throttle_rates):
    throttle_rates(exports="2/hour")
    client.force_login(owner)

    assert client.get("/exports/library.csv").status_code == 200
    assert client.get("/exports/history.json").status_code == 200
    refused = client.get("/exports/song-analyses.csv")

    assert refused.status_code == 429
    text = refused.content.decode()
    assert text.startswith("You have downloaded 2 exports in the last hour; try again in")
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # The page that lists the exports is not a download: it still answers.
    assert client.get("/exports/").status_code == 200


def test_the_pages_and_the_api_share_one_count_and_each_listener_has_their_own(client, owner, throttle_rates):
    throttle_rates(exports="2/hour")
    client.force_login(owner)
    assert client.get("/exports/library.json").status_code == 200

    api = api_client(owner)
    assert api.get("/api/exports/history.json").status_code == 200
    refused = api.get("/api/exports/library.csv")

    assert refused.status_code == 429
    assert "downloaded 2 exports" in refused.json()["detail"] and refused["Retry-After"]
    someone_else = UserFactory()
    client.force_login(someone_else)
    assert json_rows(client.get("/exports/library.json")) == []
    assert api_client(someone_else).get("/api/exports/history.csv").status_code == 200


def test_a_format_that_is_not_offered_is_still_a_clear_400(client, owner, throttle_rates):
    throttle_rates(exports="5/hour")
    client.force_login(owner)

    response = client.get("/exports/library.xlsx")

    assert response.status_code == 400 and "csv" in response.content.decode()
