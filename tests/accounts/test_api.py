"""/api/me/ and /api/me/token/: the caller only, never a token of Spotify, 401 for anonymous."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.accounts.factories import SpotifyCredentialFactory, UserFactory

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
    for response in (api.get("/api/me/"), api.post("/api/me/token/")):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"


def test_an_api_token_authenticates_me(api):
    credential = SpotifyCredentialFactory()
    token = Token.objects.create(user=credential.user)

    response = api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["id"] == credential.user.pk


def test_a_wrong_api_token_is_refused_with_401(api):
    Token.objects.create(user=UserFactory())

    response = api.get("/api/me/", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401


def test_posting_to_token_creates_it_once_then_returns_the_same_one(api):
    user = UserFactory()
    api.force_authenticate(user)

    first = api.post("/api/me/token/")
    second = api.post("/api/me/token/")

    assert first.status_code == 201 and first.json()["created"] is True
    assert second.status_code == 200 and second.json() == {"token": first.json()["token"], "created": False}
    assert Token.objects.get(user=user).key == first.json()["token"]


def test_posting_rotate_replaces_the_token_and_the_old_one_stops_working(api):
    user = UserFactory()
    old = Token.objects.create(user=user).key
    api.force_authenticate(user)

    response = api.post("/api/me/token/", {"rotate": True}, format="json")
    api.force_authenticate(None)

    new = response.json()["token"]
    assert response.status_code == 201 and new != old
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200


def test_a_session_caller_needs_the_csrf_token_to_get_an_api_token():
    user = UserFactory()
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(user)

    response = strict.post("/api/me/token/")

    assert response.status_code == 403
    assert not Token.objects.filter(user=user).exists()


def test_the_token_endpoint_returns_only_the_callers_token(api):
    owner = UserFactory()
    owner_token = Token.objects.create(user=owner)
    api.force_authenticate(UserFactory())

    body = api.post("/api/me/token/").json()

    assert body["token"] != owner_token.key


def test_the_schema_documents_me_without_token_fields(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert "/api/me/" in schema and "/api/me/token/" in schema
    assert "connection_state" in schema
    assert "access_token" not in schema and "refresh_token" not in schema


def test_me_needs_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    credential = SpotifyCredentialFactory()
    token = Token.objects.create(user=credential.user)

    with django_assert_max_num_queries(3):
        api.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
