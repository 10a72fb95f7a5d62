"""The dashboard of connected listeners, which asks the live sandbox for their playlist count."""

from __future__ import annotations

import pytest
import requests

from tests.accounts.conftest import credential_from_sandbox, sandbox_count

pytestmark = pytest.mark.django_db


def _total_playlists(sandbox, access_token: str) -> int:
    response = requests.get(
        f"{sandbox.api_url}/me/playlists",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10,
    )
    return response.json()["total"]


def test_the_owner_sees_their_name_and_playlist_count(client, sandbox):
    credential = credential_from_sandbox(sandbox, user__display_name="Demo Listener")
    expected = _total_playlists(sandbox, credential.access_token)
    client.force_login(credential.user)

    response = client.get("/dashboard/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Demo Listener" in html and f"{expected} playlists" in html
    assert credential.access_token not in html and credential.refresh_token not in html
    # One page of one playlist is all the count costs.
    assert sandbox_count(sandbox, "GET /v1/me/playlists") == 2  # ours and the one above


def test_a_stranger_sees_their_own_count_not_the_owners(client, sandbox):
    owner = credential_from_sandbox(sandbox, user="demo", user__display_name="Demo Listener")
    stranger = credential_from_sandbox(sandbox, user="other", user__display_name="Other Listener")
    owner_total = _total_playlists(sandbox, owner.access_token)
    stranger_total = _total_playlists(sandbox, stranger.access_token)
    assert owner_total != stranger_total
    client.force_login(stranger.user)

    html = client.get("/dashboard/").content.decode()

    assert "Other Listener" in html and f"{stranger_total} playlist" in html
    assert "Demo Listener" not in html and f"{owner_total} playlists" not in html


def test_spotify_failing_shows_an_error_on_the_dashboard_not_a_500(client, sandbox):
    credential = credential_from_sandbox(sandbox)
    sandbox.fail_next(method="GET", path="/v1/me/playlists", status=502, count=5)
    client.force_login(credential.user)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "Could not count your playlists" in response.content.decode()
    assert "Connected" in response.content.decode()
