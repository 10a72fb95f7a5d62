"""After a Spotify sign-in through the sandbox (its consent flow, auto-approved), the grant is only
in SpotifyCredential, encrypted: allauth stores no SocialToken, no session holds a token, and
allauth's later signals get a SocialLogin whose token is blank."""

from __future__ import annotations

import json

import pytest
from allauth.account.signals import user_logged_in, user_signed_up
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.models import SocialToken
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import SpotifyCredential
from tests.accounts.conftest import sign_in_through_sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _auto_approve(sandbox):
    sandbox.configure(auto_approve=True)


@pytest.fixture
def seen_by_signals():
    """The token values each allauth signal that carries the SocialLogin saw, by signal name."""
    seen: list[tuple[str, str, str, object]] = []

    def receiver(signal_name):
        def receive(sender, sociallogin=None, **kwargs):
            if sociallogin is not None:
                token = sociallogin.token
                access, refresh = (token.token, token.token_secret) if token else ("", "")
                seen.append((signal_name, access, refresh, getattr(sociallogin, "spotify_grant", None)))

        return receive

    receivers = {user_logged_in: receiver("user_logged_in"), user_signed_up: receiver("user_signed_up")}
    for signal, receive in receivers.items():
        signal.connect(receive, weak=False)
    yield seen
    for signal, receive in receivers.items():
        signal.disconnect(receive)


def _decoded_sessions() -> list[str]:
    return [json.dumps(session.get_decoded(), default=str) for session in Session.objects.all()]


def _assert_nowhere_but_the_credential(credential: SpotifyCredential) -> None:
    assert credential.access_token and credential.refresh_token
    assert not SocialToken.objects.exists()
    sessions = _decoded_sessions()
    assert sessions  # the signed-in listener's session at least
    for decoded in sessions:
        assert credential.access_token not in decoded
        assert credential.refresh_token not in decoded


def test_allauth_is_configured_never_to_store_tokens():
    assert socialaccount_settings.STORE_TOKENS is False


def test_after_a_first_sign_in_no_token_is_in_allauths_table_or_any_session(
    browser, sandbox, seen_by_signals
):
    response = sign_in_through_sandbox(browser)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    _assert_nowhere_but_the_credential(SpotifyCredential.objects.get())
    assert {name for name, *_ in seen_by_signals} == {"user_signed_up", "user_logged_in"}
    assert all((access, refresh, grant) == ("", "", None) for _, access, refresh, grant in seen_by_signals)


def test_after_a_returning_sign_in_no_token_is_in_allauths_table_or_any_session(
    browser, sandbox, seen_by_signals
):
    sign_in_through_sandbox(browser)
    first = SpotifyCredential.objects.get()
    seen_by_signals.clear()

    again = Client(SERVER_NAME="127.0.0.1")  # a second device: a second session row
    response = sign_in_through_sandbox(again)

    assert response.status_code == 302
    second = SpotifyCredential.objects.get()
    assert second.access_token != first.access_token
    assert Session.objects.count() == 2
    _assert_nowhere_but_the_credential(second)
    for decoded in _decoded_sessions():
        assert first.access_token not in decoded and first.refresh_token not in decoded
    assert [name for name, *_ in seen_by_signals] == ["user_logged_in"]
    assert all((access, refresh, grant) == ("", "", None) for _, access, refresh, grant in seen_by_signals)
