"""The writes behind sign-in and refresh, without any HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import credentials, selectors, services
from accounts.models import SpotifyCredential, SpotifyPause
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory

pytestmark = pytest.mark.django_db


def _store(user, **overrides):
    values = {
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "expires_in": 3600,
        "scopes": "user-top-read playlist-read-private",
        "spotify_user_id": "spotify-ada",
    }
    values.update(overrides)
    return credentials.store_spotify_tokens(user=user, **values)


def test_the_first_sign_in_stores_a_credential():
    user = UserFactory()

    credential = _store(user)

    assert credential.user == user and credential.spotify_user_id == "spotify-ada"
    assert credential.scope_list == ["playlist-read-private", "user-top-read"]
    in_an_hour = timezone.now() + timedelta(hours=1)
    assert in_an_hour - timedelta(minutes=1) < credential.expires_at <= in_an_hour


def test_a_later_sign_in_without_a_refresh_token_keeps_the_old_one_and_clears_reconnect():
    user = UserFactory()
    _store(user)
    SpotifyCredential.objects.filter(user=user).update(reconnect_needed=True, reconnect_reason="revoked")

    credential = _store(user, access_token="access-2", refresh_token=None)

    stored = SpotifyCredential.objects.get(pk=credential.pk)
    assert (stored.access_token, stored.refresh_token) == ("access-2", "refresh-1")
    assert stored.reconnect_needed is False and stored.reconnect_reason == ""
    assert SpotifyCredential.objects.count() == 1


def test_a_spotify_account_moved_to_another_user_takes_its_grant_along():
    stale = SpotifyCredentialFactory(spotify_user_id="spotify-ada")
    newcomer = UserFactory()

    _store(newcomer)

    assert SpotifyCredential.objects.get(spotify_user_id="spotify-ada").user == newcomer
    assert not SpotifyCredential.objects.filter(user=stale.user).exists()


def test_signing_in_records_the_time():
    credential = SpotifyCredentialFactory()

    services.on_spotify_sign_in(user=credential.user, created=False)

    assert SpotifyCredential.objects.get(pk=credential.pk).last_sign_in_at is not None


def test_the_pause_in_force_is_the_one_ending_last_and_an_ended_one_is_none():
    credential = SpotifyCredentialFactory()
    later = timezone.now() + timedelta(hours=2)

    # Two processes met the quota: the later end wins, whichever wrote last.
    credentials.pause_spotify(until=later, reason="quota", retry_after=7200, user_id=credential.user_id)
    credentials.pause_spotify(until=later - timedelta(hours=1), reason="quota", retry_after=3600)
    assert selectors.spotify_paused_until() == later

    SpotifyPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert selectors.spotify_paused_until() is None


def test_rotating_the_api_token_leaves_exactly_one():
    user = UserFactory()
    first, created = services.get_or_create_api_token(user=user)

    second = services.rotate_api_token(user=user)

    assert created is True and second.key != first.key
    assert services.get_or_create_api_token(user=user) == (second, False)
