"""Helpers for accounts tests that talk to the live sandbox."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import SpotifyCredential
from tests.accounts.factories import SpotifyCredentialFactory


def sign_in_through_sandbox(client: Client) -> requests.Response:
    """The whole OAuth round trip: our login view → sandbox /authorize (auto-approve) → our callback.

    Returns the callback's response (a Django test response).
    """
    start = client.post(reverse("spotify_login"))
    assert start.status_code == 302, start.content
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorize.status_code in (302, 303), (authorize.status_code, authorize.text[:500])
    callback = urlsplit(authorize.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def authorize_location(client: Client) -> str:
    """Start a sign-in and let the sandbox approve it; return the callback URL it redirects to."""
    start = client.post(reverse("spotify_login"))
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert authorize.status_code in (302, 303), (authorize.status_code, authorize.text[:500])
    return authorize.headers["Location"]


def credential_from_sandbox(
    sandbox, *, user: str = "demo", expires_in: int = 3600, **extra
) -> SpotifyCredential:
    """A credential holding real sandbox tokens, as if `user` had signed in."""
    grant = sandbox.issue_token(user=user, expires_in=expires_in)
    return SpotifyCredentialFactory(
        spotify_user_id=user,
        access_token=grant["access_token"],
        refresh_token=grant["refresh_token"],
        expires_at=timezone.now() + timedelta(seconds=int(grant["expires_in"])),
        scopes=grant.get("scope") or "",
        **extra,
    )


@pytest.fixture
def demo_credential(sandbox, db) -> SpotifyCredential:
    return credential_from_sandbox(sandbox)


def sandbox_count(sandbox, key: str) -> int:
    """How many requests the sandbox saw for "METHOD /route/template"."""
    return int(sandbox.counters()["by_route"].get(key, 0))


@pytest.fixture
def browser() -> Client:
    """A test client whose host is 127.0.0.1: the sandbox (like Spotify for http) only
    accepts loopback redirect URIs, and "testserver" is not one."""
    return Client(SERVER_NAME="127.0.0.1")
