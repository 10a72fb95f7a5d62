"""/api/me/: the caller only, never a token of Spotify, 401 for anonymous. The API tokens
themselves: test_api_tokens.py."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import SpotifyCredentialFactory, UserFactory, api_token_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_me_returns_the_caller_and_their_connection_state(api):
    credential = SpotifyCredentialFactory(user__display_name="Ada Listener")
    api.force_authenticate(credential.user)

    body = api.get("/api/me/").json()

    assert body == {
        "id": credential.user.pk,
        "username": credential.user.username,
        "display_name": "Ada Listener",
        "spotify_user_id": credential.spotify_user_id,
        "connection_state": "connected",
        "token_expires_at": body["token_expires_at"],
        "rate_limited_until": None,
        "reconnect_reason": "",
    }
    assert body["token_expires_at"].startswith(credential.expires_at.strftime("%Y-%m-%dT%H:%M"))


def test_me_never_contains_a_spotify_token(api):
    credential = SpotifyCredentialFactory()
    api.force_authenticate(credential.user)

    text = api.get("/api/me/").content.decode()

    assert credential.access_token not in text
    assert credential.refresh_token not in text


def test_me_reports_reconnect_needed_and_rate_limits(api):
    revoked = SpotifyCredentialFactory(reconnect=True)
    limited = SpotifyCredentialFactory(rate_limited=True)

    api.force_authenticate(revoked.user)
    revoked_body = api.get("/api/me/").json()
    api.force_authenticate(limited.user)
    limited_body = api.get("/api/me/").json()

    assert revoked_body["connection_state"] == "reconnect_needed"
    assert revoked_body["reconnect_reason"] == "Spotify refused the stored grant."
    assert limited_body["connection_state"] == "rate_limited"
    assert limited_body["rate_limited_until"] is not None


def test_me_for_a_user_without_spotify_says_not_connected(api):
    user = UserFactory()
    api.force_authenticate(user)

    body = api.get("/api/me/").json()

    assert body["connection_state"] == "not_connected"
    assert body["spotify_user_id"] is None and body["token_expires_at"] is None


def test_a_stranger_gets_only_themselves_from_me(api):
    owner = SpotifyCredentialFactory(user__display_name="Owner Olga")
    stranger = SpotifyCredentialFactory(user__display_name="Stranger Sam")
    api.force_authenticate(stranger.user)

    text = api.get("/api/me/").content.decode()

    assert "Stranger Sam" in text and stranger.spotify_user_id in text
    assert "Owner Olga" not in text and owner.spotify_user_id not in text


def test_anonymous_callers_get_401_with_a_token_challenge(api):
    for response in (api.get("/api/me/"), api.get("/api/me/tokens/"), api.post("/api/me/tokens/")):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"


def test_an_api_token_authenticates_me(api):
    credential = SpotifyCredentialFactory()
    secret = api_token_secret(credential.user)

    response = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert response.status_code == 200
    assert response.json()["id"] == credential.user.pk


def test_a_wrong_api_token_is_refused_with_401(api):
    secret = api_token_secret(UserFactory())

    for wrong in ("not-a-real-token", secret[:-1] + ("A" if secret[-1] != "A" else "B"), secret[:12]):
        response = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {wrong}")
        assert response.status_code == 401, wrong
        assert response.json() == {"detail": "Invalid token."}


def test_the_old_single_token_path_is_gone(api):
    api.force_authenticate(UserFactory())

    assert api.post("/api/me/token/").status_code == 404


def test_the_schema_documents_me_without_token_fields(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert "/api/me/" in schema and "/api/me/tokens/" in schema and "/api/me/token/" not in schema
    assert "connection_state" in schema
    assert "access_token" not in schema and "refresh_token" not in schema


def test_me_needs_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    credential = SpotifyCredentialFactory()
    secret = api_token_secret(credential.user)
    api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}")  # the first use of the minute writes

    # The token with its user, the credential, the deployment's Spotify pause.
    with django_assert_max_num_queries(3):
        api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}")
