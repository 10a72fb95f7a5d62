"""Sign in with Spotify through the live sandbox: the real OAuth round trip, no mocks."""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import SpotifyCredential, User
from spotify.client import get_spotify_client
from tests.accounts.conftest import authorize_location, sign_in_through_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _auto_approve(sandbox):
    sandbox.configure(auto_approve=True)


def _raw_token_columns(credential: SpotifyCredential) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT access_token, refresh_token FROM {SpotifyCredential._meta.db_table} WHERE id = %s",
            [credential.pk],
        )
        return " ".join(cursor.fetchone())


def test_signing_in_creates_the_listener_with_encrypted_tokens_and_lands_on_the_dashboard(browser, sandbox):
    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = User.objects.get()
    credential = SpotifyCredential.objects.get(user=user)
    assert user.display_name == "Demo Listener"
    assert user.username == "demo_listener"  # from the display name, no signup form
    assert user.email == ""  # Development-mode Spotify sends none, and none is needed
    assert credential.spotify_user_id == "demo"
    assert credential.access_token and credential.refresh_token
    assert credential.last_sign_in_at is not None
    raw = _raw_token_columns(credential)
    assert credential.access_token not in raw and credential.refresh_token not in raw
    # allauth keeps the account link but never a plaintext token.
    assert SocialAccount.objects.get(user=user).uid == "demo"
    assert not SocialToken.objects.exists()
    # The stored token is the real one: the sandbox accepts it.
    with get_spotify_client(user=user) as spotify:
        assert spotify.api.me()["id"] == "demo"


def test_the_dashboard_after_sign_in_shows_the_name_and_waits_for_the_first_import(browser, sandbox):
    sign_in_through_sandbox(browser)
    asked = sum(n for route, n in sandbox.counters()["by_route"].items() if " /v1/" in route)

    html = browser.get("/dashboard/").content.decode()

    assert "Demo Listener" in html and "Connected" in html
    # allauth's welcome names them as Spotify does, not by the username made for them.
    assert "Successfully signed in as Demo Listener." in html and "demo_listener" not in html
    # Sign-in queued the first import; until it runs the card says so, and asks Spotify nothing.
    assert "Nothing imported yet" in html
    assert sum(n for route, n in sandbox.counters()["by_route"].items() if " /v1/" in route) == asked


def test_signing_in_again_reuses_the_listener_and_replaces_the_tokens(browser, sandbox):
    sign_in_through_sandbox(browser)
    first = SpotifyCredential.objects.get()
    SpotifyCredential.objects.filter(pk=first.pk).update(reconnect_needed=True, reconnect_reason="revoked")
    browser.logout()

    response = sign_in_through_sandbox(browser)

    second = SpotifyCredential.objects.get()
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert User.objects.count() == 1 and second.user_id == first.user_id and second.pk == first.pk
    assert second.access_token != first.access_token
    assert second.reconnect_needed is False and second.reconnect_reason == ""
    assert second.last_sign_in_at > first.last_sign_in_at


def test_two_spotify_users_get_two_listeners_and_each_dashboard_shows_only_its_own(browser, sandbox):
    sign_in_through_sandbox(browser)
    sandbox.configure(authorize_user="other")
    other_browser = Client(SERVER_NAME="127.0.0.1")

    sign_in_through_sandbox(other_browser)

    demo = User.objects.get(spotify_credential__spotify_user_id="demo")
    other = User.objects.get(spotify_credential__spotify_user_id="other")
    assert demo.pk != other.pk
    other_html = other_browser.get("/dashboard/").content.decode()
    demo_html = browser.get("/dashboard/").content.decode()
    assert other.display_name in other_html and "Demo Listener" not in other_html
    assert "Demo Listener" in demo_html and other.display_name not in demo_html


def test_a_tampered_state_shows_the_friendly_page_and_creates_nobody(browser, sandbox):
    callback = urlsplit(authorize_location(browser))
    query = {key: values[0] for key, values in parse_qs(callback.query).items()}
    # Another first character, whatever it was (a fixed "x" left a state starting with "x" intact).
    query["state"] = ("y" if query["state"].startswith("x") else "x") + query["state"][1:]

    response = browser.get(f"{callback.path}?{urlencode(query)}")

    assert response.status_code == 401
    assert "Try again" in response.content.decode()
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()


def test_replaying_a_used_callback_is_refused(browser, sandbox):
    callback = urlsplit(authorize_location(browser))
    assert browser.get(f"{callback.path}?{callback.query}").status_code == 302
    browser.logout()

    replay = browser.get(f"{callback.path}?{callback.query}")

    assert replay.status_code == 401
    assert "Try again" in replay.content.decode()
    assert browser.get("/dashboard/").status_code == 302


def test_sign_in_works_when_spotify_returns_an_email_too(browser, sandbox):
    sandbox.configure(mode="extended")

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert User.objects.get().display_name == "Demo Listener"


def _consent_form(browser) -> tuple[str, dict[str, str]]:
    """Start a sign-in and fetch the sandbox's consent page; return its form action and hidden fields."""
    start = browser.post(reverse("spotify_login"))
    page = requests.get(start["Location"], timeout=10)
    assert page.status_code == 200 and "Agree" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    return f"{sandbox_origin(start['Location'])}/authorize", {k: html.unescape(v) for k, v in fields.items()}


def sandbox_origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_cancelling_on_the_consent_page_shows_the_friendly_page_and_creates_nobody(browser, sandbox):
    sandbox.configure(auto_approve=False)
    action, fields = _consent_form(browser)

    decision = requests.post(action, data={**fields, "action": "cancel"}, allow_redirects=False, timeout=10)
    callback = urlsplit(decision.headers["Location"])
    response = browser.get(f"{callback.path}?{callback.query}", follow=True)

    assert "error=access_denied" in callback.query
    assert "Sign-in cancelled" in response.content.decode()
    assert "Try again" in response.content.decode()
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()


def test_agreeing_on_the_consent_page_as_another_listener_signs_them_in(browser, sandbox):
    sandbox.configure(auto_approve=False)
    action, fields = _consent_form(browser)

    decision = requests.post(
        action, data={**fields, "action": "agree", "user": "other"}, allow_redirects=False, timeout=10
    )
    callback = urlsplit(decision.headers["Location"])
    response = browser.get(f"{callback.path}?{callback.query}")

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert SpotifyCredential.objects.get().spotify_user_id == "other"


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/token"), ("GET", "/v1/me")], ids=["token-exchange", "profile"]
)
def test_spotify_failing_during_sign_in_shows_the_friendly_page_and_creates_nobody(
    browser, sandbox, method, path
):
    sandbox.fail_next(method=method, path=path, status=500)

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 401
    assert "Try again" in response.content.decode()
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()


def test_no_token_reaches_the_logs_even_at_debug_level(browser, sandbox, caplog, settings):
    settings.SPOTIFY_REFRESH_MARGIN = 4000  # also exercise a refresh
    with caplog.at_level(logging.DEBUG):
        sign_in_through_sandbox(browser)
        credential = SpotifyCredential.objects.get()
        first_access = credential.access_token
        with get_spotify_client(user=credential.user) as spotify:
            spotify.api.me()
        browser.get("/dashboard/")

    refreshed = SpotifyCredential.objects.get()
    assert refreshed.access_token != first_access
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for secret in (first_access, refreshed.access_token, refreshed.refresh_token):
        assert secret not in caplog.text
