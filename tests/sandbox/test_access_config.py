"""The sandbox's access config: the Development-mode user list (`allowlist`) and the grant
lifetime (`refresh_token_lifetime_seconds`), switched at run time like Spotify would."""

from __future__ import annotations

import time

import pytest
import requests

from tests.fixtures.sandbox import SandboxControlError
from tests.sandbox.conftest import Api

# As Spotify sends it: 46 bytes of plain text, not its JSON error object.
NOT_LISTED = "User not registered in the Developer Dashboard"


def _refresh(sandbox, refresh_token: str) -> requests.Response:
    return requests.post(
        f"{sandbox.accounts_url}/api/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=10,
    )


def test_an_unlisted_user_gets_spotifys_403_on_every_v1_call_but_tokens_still_work(sandbox):
    grant = sandbox.issue_token(user="other")
    other = Api(api_url=sandbox.api_url, token=grant["access_token"])
    sandbox.configure(allowlist=["demo"])

    for path in ("/me", "/me/playlists", "/me/tracks"):
        answer = other.get(path)
        assert (answer.status_code, answer.text) == (403, NOT_LISTED)
        assert answer.headers["Content-Type"].startswith("text/plain")
    assert _refresh(sandbox, grant["refresh_token"]).status_code == 200
    demo = Api(api_url=sandbox.api_url, token=sandbox.issue_token(user="demo")["access_token"])
    assert demo.get("/me").status_code == 200


def test_the_list_is_switched_off_with_null_and_ignored_in_extended_mode(sandbox):
    other = Api(api_url=sandbox.api_url, token=sandbox.issue_token(user="other")["access_token"])
    sandbox.configure(allowlist=["demo"], mode="extended")
    assert other.get("/me").status_code == 200
    sandbox.configure(mode="development")
    assert other.get("/me").status_code == 403

    assert sandbox.configure(allowlist=None)["allowlist"] is None
    assert other.get("/me").status_code == 200


def test_me_sends_a_stable_account_id_other_than_the_user_id(sandbox, demo):
    first, second = demo.get("/me").json(), demo.get("/me").json()

    assert first["account_id"] and first["account_id"] == second["account_id"] != first["id"]


def test_a_grant_past_its_lifetime_answers_invalid_grant(sandbox):
    sandbox.configure(refresh_token_lifetime_seconds=1)
    grant = sandbox.issue_token(user="demo")
    assert _refresh(sandbox, grant["refresh_token"]).status_code == 200
    time.sleep(1.1)

    answer = _refresh(sandbox, grant["refresh_token"])

    assert (answer.status_code, answer.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Refresh token revoked"},
    )


def test_each_authorisation_gets_its_own_lifetime_and_a_rotated_token_keeps_its_grants(sandbox):
    sandbox.configure(refresh_token_lifetime_seconds=2)
    first = sandbox.issue_token(user="demo")
    time.sleep(1.2)
    again = sandbox.issue_token(user="demo")  # signing in again: a new grant, counted from now
    sandbox.configure(rotate_refresh_tokens=True)
    rotated = _refresh(sandbox, first["refresh_token"]).json()["refresh_token"]  # refreshing extends nothing
    time.sleep(1.0)

    assert _refresh(sandbox, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert _refresh(sandbox, rotated).json()["error"] == "invalid_grant"
    assert _refresh(sandbox, again["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    "patch",
    [
        {"allowlist": "demo"},
        {"allowlist": ["nobody"]},
        {"refresh_token_lifetime_seconds": -1},
        {"refresh_token_lifetime_seconds": True},
    ],
)
def test_bad_access_config_is_refused_and_changes_nothing(sandbox, patch):
    with pytest.raises(SandboxControlError) as refused:
        sandbox.configure(**patch)

    assert refused.value.status == 400
    config = sandbox.control("GET", "config")
    assert (config["allowlist"], config["refresh_token_lifetime_seconds"]) == (None, None)


def test_reset_switches_both_off(sandbox):
    sandbox.configure(allowlist=["demo"], refresh_token_lifetime_seconds=10)

    sandbox.reset()

    config = sandbox.control("GET", "config")
    assert (config["allowlist"], config["refresh_token_lifetime_seconds"]) == (None, None)
