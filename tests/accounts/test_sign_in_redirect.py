"""The start of the OAuth flow and the callback's failure pages (no Spotify answer needed)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import SpotifyCredential, User

pytestmark = pytest.mark.django_db


def _start_sign_in(client) -> dict[str, str]:
    response = client.post(reverse("spotify_login"))
    assert response.status_code == 302
    location = response["Location"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    return {"location": location, **query}


def test_sign_in_redirects_to_the_configured_accounts_service_with_pkce_and_our_scopes(client, settings):
    settings.SPOTIFY_ACCOUNTS_URL = "http://accounts.example.test:9999"
    settings.SPOTIFY_SCOPES = ["playlist-read-private", "user-top-read"]

    params = _start_sign_in(client)

    assert params["location"].startswith("http://accounts.example.test:9999/authorize?")
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert set(params["scope"].split()) == {"playlist-read-private", "user-top-read"}
    assert params["redirect_uri"] == "http://testserver/accounts/spotify/login/callback/"
    assert params["state"]


def test_the_callback_url_comes_from_spotify_redirect_uri_when_set(client, settings):
    settings.SPOTIFY_REDIRECT_URI = "https://linernotes.example.org/accounts/spotify/login/callback/"

    params = _start_sign_in(client)

    assert params["redirect_uri"] == settings.SPOTIFY_REDIRECT_URI


def test_sign_in_by_get_only_shows_a_continue_page(client):
    response = client.get(reverse("spotify_login"))

    assert response.status_code == 200
    assert "Continue" in response.content.decode()


def test_a_callback_with_a_state_we_never_issued_shows_a_friendly_page_and_creates_nobody(client):
    _start_sign_in(client)

    response = client.get(reverse("spotify_callback"), {"code": "stolen-code", "state": "not-our-state"})

    html = response.content.decode()
    assert response.status_code == 401
    assert "Sign-in with Spotify did not work" in html
    assert 'href="/"' in html and "Try again" in html
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()


def test_cancelling_at_spotify_shows_a_friendly_page_and_creates_nobody(client):
    params = _start_sign_in(client)

    response = client.get(
        reverse("spotify_callback"), {"error": "access_denied", "state": params["state"]}, follow=True
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign-in cancelled" in html and "Try again" in html
    assert not User.objects.exists() and not SpotifyCredential.objects.exists()
