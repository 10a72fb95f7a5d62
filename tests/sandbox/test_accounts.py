"""The Accounts service: consent page, authorization code with PKCE or secret, refresh, revocation."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.fixtures.sandbox import SandboxServer

REDIRECT_URI = "http://127.0.0.1:8000/accounts/spotify/login/callback/"
SCOPES = "playlist-read-private user-top-read user-read-recently-played"


class FormReader(html.parser.HTMLParser):
    """Collects the consent form's action, inputs and buttons as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.radios: dict[str, bool] = {}
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.action = attrs.get("action", "")
        elif tag == "input" and attrs.get("type") == "hidden":
            self.hidden[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") == "radio":
            self.radios[attrs["value"]] = "checked" in attrs
        elif tag == "button":
            self.buttons.append(attrs.get("value", ""))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_params(sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    return {
        "client_id": sandbox.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPES,
        "state": "s-123",
        **extra,
    }


def consent(sandbox: SandboxServer, params: dict, *, action: str = "agree", user: str | None = None) -> dict:
    """Load the consent page, submit it like a browser, and return the redirect's query."""
    page = requests.get(f"{sandbox.accounts_url}/authorize", params=params, timeout=10)
    assert page.status_code == 200
    form = FormReader()
    form.feed(page.text)
    chosen = user or next(value for value, checked in form.radios.items() if checked)
    answer = requests.post(
        f"{sandbox.accounts_url}{form.action}",
        data={**form.hidden, "user": chosen, "action": action},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def exchange(
    sandbox: SandboxServer, *, auth: tuple[str, str] | None = None, **form: str
) -> requests.Response:
    return requests.post(f"{sandbox.accounts_url}/api/token", data=form, auth=auth, timeout=10)


def test_consent_page_shows_the_app_the_scopes_both_users_and_agree_cancel(sandbox):
    page = requests.get(f"{sandbox.accounts_url}/authorize", params=authorize_params(sandbox), timeout=10)
    form = FormReader()
    form.feed(page.text)

    assert page.headers["Content-Type"].startswith("text/html")
    assert "Linernotes" in page.text and "user-top-read" in page.text
    assert "Demo Listener" in page.text and "Second Listener" in page.text
    assert form.radios == {"demo": True, "other": False}
    assert form.buttons == ["agree", "cancel"]
    assert form.hidden["state"] == "s-123"


def test_agreeing_redirects_back_with_a_code_and_the_state(sandbox):
    query = consent(sandbox, authorize_params(sandbox))

    assert query["state"] == "s-123"
    assert query["code"]


def test_cancelling_redirects_back_with_access_denied_and_the_state(sandbox):
    query = consent(sandbox, authorize_params(sandbox), action="cancel")

    assert query == {"error": "access_denied", "state": "s-123"}


@pytest.mark.parametrize(
    "override", [{"client_id": "someone-else"}, {"redirect_uri": "https://evil.example/cb"}]
)
def test_an_unknown_client_or_redirect_uri_gets_an_error_page_never_a_redirect(sandbox, override):
    params = {**authorize_params(sandbox), **override}
    page = requests.get(f"{sandbox.accounts_url}/authorize", params=params, allow_redirects=False, timeout=10)

    assert page.status_code == 400
    assert "Location" not in page.headers
    assert "INVALID_CLIENT" in page.text


def test_pkce_exchange_needs_the_client_id_and_verifier_but_no_secret(sandbox):
    verifier, challenge = pkce_pair()
    query = consent(
        sandbox, authorize_params(sandbox, code_challenge=challenge, code_challenge_method="S256")
    )

    answer = exchange(
        sandbox,
        grant_type="authorization_code",
        code=query["code"],
        redirect_uri=REDIRECT_URI,
        client_id=sandbox.client_id,
        code_verifier=verifier,
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == SCOPES and body["refresh_token"]
    me = requests.get(
        f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert me.json()["id"] == "demo"


def test_a_wrong_verifier_is_invalid_grant_and_burns_the_code(sandbox):
    verifier, challenge = pkce_pair()
    query = consent(
        sandbox, authorize_params(sandbox, code_challenge=challenge, code_challenge_method="S256")
    )
    form = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": REDIRECT_URI,
        "client_id": sandbox.client_id,
    }

    wrong = exchange(sandbox, **form, code_verifier=pkce_pair()[0])
    right_but_late = exchange(sandbox, **form, code_verifier=verifier)

    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert (right_but_late.status_code, right_but_late.json()["error"]) == (400, "invalid_grant")


def test_the_secret_flow_accepts_basic_auth_or_body_credentials_and_each_code_once(sandbox):
    basic_code = consent(sandbox, authorize_params(sandbox))["code"]
    body_code = consent(sandbox, authorize_params(sandbox))["code"]

    with_basic = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=basic_code,
        redirect_uri=REDIRECT_URI,
    )
    with_body = exchange(
        sandbox,
        grant_type="authorization_code",
        code=body_code,
        redirect_uri=REDIRECT_URI,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
    )
    reused = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=basic_code,
        redirect_uri=REDIRECT_URI,
    )

    assert with_basic.status_code == 200 and with_body.status_code == 200
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")


def test_a_bad_secret_is_invalid_client_with_401(sandbox):
    code = consent(sandbox, authorize_params(sandbox))["code"]

    answer = exchange(
        sandbox,
        auth=(sandbox.client_id, "not-the-secret"),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    )

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_a_code_without_pkce_needs_the_secret(sandbox):
    code = consent(sandbox, authorize_params(sandbox))["code"]

    answer = exchange(
        sandbox,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
        client_id=sandbox.client_id,
    )

    assert (answer.status_code, answer.json()["error"]) == (401, "invalid_client")


def test_a_mismatched_redirect_uri_is_invalid_grant(sandbox):
    code = consent(sandbox, authorize_params(sandbox))["code"]

    answer = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1:8000/elsewhere/",
    )

    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize("grant_type", ["", "password"])
def test_a_missing_or_unknown_grant_type_is_unsupported(sandbox, grant_type):
    answer = exchange(sandbox, auth=(sandbox.client_id, sandbox.client_secret), grant_type=grant_type)

    assert (answer.status_code, answer.json()["error"]) == (400, "unsupported_grant_type")


def test_refresh_keeps_working_after_the_access_token_expired_and_returns_no_new_refresh_token(sandbox):
    sandbox.configure(token_lifetime=1)
    code = consent(sandbox, authorize_params(sandbox))["code"]
    first = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    ).json()
    time.sleep(1.1)
    expired = requests.get(
        f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {first['access_token']}"}, timeout=10
    )

    refreshed = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    ).json()
    again = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )

    assert expired.status_code == 401
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}
    assert "refresh_token" not in refreshed
    assert refreshed["scope"] == SCOPES and refreshed["expires_in"] == 1
    assert again.status_code == 200


def test_rotating_refresh_tokens_hands_out_a_new_one_and_retires_the_old(sandbox):
    sandbox.configure(rotate_refresh_tokens=True)
    first = sandbox.issue_token()
    credentials = (sandbox.client_id, sandbox.client_secret)

    rotated = exchange(
        sandbox, auth=credentials, grant_type="refresh_token", refresh_token=first["refresh_token"]
    ).json()
    stale = exchange(
        sandbox, auth=credentials, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )

    assert rotated["refresh_token"] != first["refresh_token"]
    assert (stale.status_code, stale.json()["error"]) == (400, "invalid_grant")


def test_a_revoked_refresh_token_is_invalid_grant(sandbox):
    token = sandbox.issue_token()
    sandbox.revoke(refresh_token=token["refresh_token"])

    answer = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="refresh_token",
        refresh_token=token["refresh_token"],
    )

    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_auto_approve_redirects_at_once_with_a_code_for_the_configured_user(sandbox):
    sandbox.configure(auto_approve=True, authorize_user="other")

    answer = requests.get(
        f"{sandbox.accounts_url}/authorize",
        params=authorize_params(sandbox),
        allow_redirects=False,
        timeout=10,
    )
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    ).json()
    me = requests.get(
        f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )

    assert answer.status_code == 302
    assert me.json()["display_name"] == "Second Listener"


def test_the_second_listener_can_be_chosen_on_the_consent_page(sandbox):
    code = consent(sandbox, authorize_params(sandbox), user="other")["code"]
    tokens = exchange(
        sandbox,
        auth=(sandbox.client_id, sandbox.client_secret),
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT_URI,
    ).json()

    me = requests.get(
        f"{sandbox.api_url}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )

    assert me.json()["id"] == "other"
