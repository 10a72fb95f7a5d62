"""Refreshing tokens against the live sandbox: before expiry, on a 401, and when the grant is gone."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts.models import SpotifyCredential
from spotify.client import get_spotify_client
from spotify.errors import ReconnectNeeded
from core import queues
from spotify.tasks import TokenRefreshFailed, refresh_expiring_tokens
from tests.support.queue import InlineQueue
from tests.accounts.conftest import credential_from_sandbox, sandbox_count, sign_in_through_sandbox

pytestmark = pytest.mark.django_db

# spotipy's me() asks for "/v1/me/"; the fault pattern must match that exact path.
ME = "/v1/me/"

EXPIRED_BODY = {"error": {"status": 401, "message": "The access token expired"}}


def test_a_token_close_to_expiry_is_refreshed_first_and_the_old_refresh_token_is_kept(sandbox, settings):
    settings.SPOTIFY_REFRESH_MARGIN = 120
    credential = credential_from_sandbox(sandbox, expires_in=60)
    old_expiry = credential.expires_at

    with get_spotify_client(user=credential.user) as spotify:
        me = spotify.api.me()

    stored = SpotifyCredential.objects.get(pk=credential.pk)
    assert me["id"] == "demo"
    assert stored.access_token != credential.access_token
    assert stored.refresh_token == credential.refresh_token  # Spotify sent none: keep ours
    assert stored.expires_at > old_expiry
    assert spotify.stats.refreshes == 1
    assert sandbox_count(sandbox, "POST /api/token") == 1


def test_a_token_far_from_expiry_is_used_as_is(sandbox, demo_credential):
    with get_spotify_client(user=demo_credential.user) as spotify:
        spotify.api.me()

    assert spotify.stats.refreshes == 0
    assert SpotifyCredential.objects.get(pk=demo_credential.pk).access_token == demo_credential.access_token


def test_a_rotated_refresh_token_is_saved(sandbox):
    sandbox.configure(rotate_refresh_tokens=True)
    credential = credential_from_sandbox(sandbox, expires_in=1)

    with get_spotify_client(user=credential.user) as spotify:
        spotify.api.me()

    stored = SpotifyCredential.objects.get(pk=credential.pk)
    assert stored.refresh_token != credential.refresh_token
    # And the new one works for the next refresh.
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=stored.expires_at.replace(year=2000))
    with get_spotify_client(user=credential.user) as spotify:
        assert spotify.api.me()["id"] == "demo"


def test_an_expired_token_answer_is_refreshed_once_and_the_call_retried(sandbox, demo_credential):
    sandbox.fail_next(method="GET", path=ME, status=401, body=EXPIRED_BODY)

    with get_spotify_client(user=demo_credential.user) as spotify:
        me = spotify.api.me()

    assert me["id"] == "demo"
    assert spotify.stats.refreshes == 1 and spotify.stats.retries == 1
    assert sandbox_count(sandbox, "GET /v1/me") == 2
    assert SpotifyCredential.objects.get(pk=demo_credential.pk).access_token != demo_credential.access_token


def test_a_revoked_grant_marks_reconnect_needed_and_raises(sandbox, client):
    credential = credential_from_sandbox(sandbox, expires_in=1)
    sandbox.revoke(refresh_token=credential.refresh_token)

    with pytest.raises(ReconnectNeeded), get_spotify_client(user=credential.user) as spotify:
        spotify.api.me()

    stored = SpotifyCredential.objects.get(pk=credential.pk)
    assert stored.reconnect_needed is True
    assert "invalid_grant" in stored.reconnect_reason or "refused" in stored.reconnect_reason
    # No further call is even attempted.
    with pytest.raises(ReconnectNeeded):
        get_spotify_client(user=credential.user)
    client.force_login(credential.user)
    html = client.get("/dashboard/").content.decode()
    assert "Reconnect needed" in html and "Reconnect Spotify" in html


def test_the_token_refresh_discovers_a_revoked_grant_and_the_dashboard_offers_to_reconnect(sandbox, client, monkeypatch):
    inline = InlineQueue()
    monkeypatch.setattr(queues, "async_task", inline)  # the round's chunks run here
    credential = credential_from_sandbox(sandbox, expires_in=1)
    sandbox.revoke(refresh_token=credential.refresh_token)
    client.force_login(credential.user)
    assert "Reconnect needed" not in client.get("/dashboard/").content.decode()  # the page asks nobody

    refresh_expiring_tokens()  # the schedule's run, every 30 minutes
    assert [type(failure) for failure in inline.failures] == [TokenRefreshFailed]

    html = client.get("/dashboard/").content.decode()
    assert "Reconnect needed" in html and "Reconnect Spotify" in html
    assert SpotifyCredential.objects.get(pk=credential.pk).reconnect_needed is True


def test_reconnecting_after_a_revoke_clears_the_flag(sandbox, browser, monkeypatch):
    inline = InlineQueue()
    monkeypatch.setattr(queues, "async_task", inline)  # the round's chunks run here
    sandbox.configure(auto_approve=True)
    sign_in_through_sandbox(browser)
    credential = SpotifyCredential.objects.get()
    sandbox.revoke(refresh_token=credential.refresh_token)
    SpotifyCredential.objects.filter(pk=credential.pk).update(expires_at=credential.expires_at.replace(year=2000))
    refresh_expiring_tokens()
    assert [type(failure) for failure in inline.failures] == [TokenRefreshFailed]
    assert "Reconnect Spotify" in browser.get("/dashboard/").content.decode()

    sign_in_through_sandbox(browser)

    stored = SpotifyCredential.objects.get()
    assert stored.reconnect_needed is False
    assert "Reconnect Spotify" not in browser.get("/dashboard/").content.decode()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (FOR UPDATE)")
def test_concurrent_clients_refresh_once_and_do_not_clobber_each_other(sandbox):
    # With rotating refresh tokens, two refreshes with the same refresh token would
    # invalidate each other; the row lock makes the second client adopt the first's token.
    sandbox.configure(rotate_refresh_tokens=True)
    credential = credential_from_sandbox(sandbox, expires_in=1)
    barrier = threading.Barrier(4)
    results: list[object] = []

    def call() -> None:
        try:
            spotify = get_spotify_client(user=credential.user)
            barrier.wait()
            results.append(spotify.api.me()["id"])
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert results == ["demo"] * 4
    assert sandbox_count(sandbox, "POST /api/token") == 1
    assert SpotifyCredential.objects.get(pk=credential.pk).reconnect_needed is False
