"""A Spotify account whose email another user already has: signed in as a listener of its own,
never through allauth's signup form, and no token ever lands in django_session.

Through the live sandbox in Extended mode, whose profile answer carries the email."""

from __future__ import annotations

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session

from accounts.models import SpotifyCredential, User
from tests.accounts.conftest import sign_in_through_sandbox
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

DEMO_EMAIL = "demo@sandbox.invalid"  # the sandbox's "demo" listener (sandbox/catalog/library.py)
# The sandbox's access ("BQ…") and refresh ("AQ…") tokens, whichever were issued.
SANDBOX_TOKEN = re.compile(r"[AB]Q[A-Za-z0-9_-]{96,}")


@pytest.fixture(autouse=True)
def _extended_auto_approve(sandbox):
    sandbox.configure(auto_approve=True, mode="extended")


def _decoded_sessions() -> list[str]:
    return [json.dumps(session.get_decoded()) for session in Session.objects.all()]


def test_a_colliding_email_signs_in_a_listener_of_its_own_and_leaves_no_token_in_any_session(browser, sandbox):
    someone = UserFactory(username="someone", email=DEMO_EMAIL)

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    listener = User.objects.get(spotify_credential__spotify_user_id="demo")
    assert listener.pk != someone.pk
    assert browser.get("/dashboard/").status_code == 200  # signed in, as the new listener
    assert int(browser.session["_auth_user_id"]) == listener.pk
    credential = SpotifyCredential.objects.get(user=listener)
    sessions = _decoded_sessions()
    assert sessions, "no session was stored: the search below would prove nothing"
    for data in sessions:
        assert "socialaccount_sociallogin" not in data
        assert credential.access_token not in data and credential.refresh_token not in data
        assert not SANDBOX_TOKEN.search(data), data[:300]


def test_the_existing_user_is_left_as_it_was_and_the_new_listener_has_no_email(browser, sandbox):
    someone = UserFactory(username="someone", email=DEMO_EMAIL)

    sign_in_through_sandbox(browser)

    listener = User.objects.get(spotify_credential__spotify_user_id="demo")
    someone.refresh_from_db()
    assert someone.email == DEMO_EMAIL and not SpotifyCredential.objects.filter(user=someone).exists()
    # Spotify's email is not verified: taking it would let anyone claim an address on Spotify and
    # collide with (or, connected by email, take over) the account that owns it here.
    assert listener.email == "" and not EmailAddress.objects.filter(user=listener).exists()


def test_signing_in_again_reaches_the_same_listener_not_the_user_with_the_email(browser, sandbox):
    UserFactory(username="someone", email=DEMO_EMAIL)
    sign_in_through_sandbox(browser)
    first = User.objects.get(spotify_credential__spotify_user_id="demo")
    browser.logout()

    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert int(browser.session["_auth_user_id"]) == first.pk
    assert User.objects.count() == 2


def test_allauths_signup_form_is_never_reached_with_a_pending_sign_in(browser, sandbox):
    UserFactory(username="someone", email=DEMO_EMAIL)

    response = sign_in_through_sandbox(browser)

    assert "/accounts/3rdparty/signup/" not in response.get("Location", "")
    # Nothing pending to finish there: allauth sends a visitor without one back to sign in.
    assert browser.get("/accounts/3rdparty/signup/").status_code == 302
