"""The writes behind sign-in and refresh, without any HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts import credentials, selectors, services
from accounts.models import SpotifyCredential, SpotifyPause
from tests.accounts.factories import ApiTokenFactory, SpotifyCredentialFactory, UserFactory

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


def _raw_access_token(credential: SpotifyCredential) -> str:
    with connection.cursor() as cursor:
        table = SpotifyCredential._meta.db_table
        cursor.execute(f"SELECT access_token FROM {table} WHERE id = %s", [credential.pk])
        return cursor.fetchone()[0]


def test_a_token_endpoint_grant_is_stored_encrypted_and_a_second_one_updates_the_same_credential():
    user = UserFactory()
    grant = {"access_token": "access-one", "refresh_token": "refresh-one", "expires_in": 3600}
    grant["scope"] = "user-top-read"

    first = credentials.store_spotify_grant(user=user, grant=grant, spotify_user_id="ada")
    second = credentials.store_spotify_grant(
        user=user, grant={"access_token": "access-two", "expires_in": 60}, spotify_user_id="ada"
    )

    stored = SpotifyCredential.objects.get(user=user)
    assert first.pk == second.pk == stored.pk and SpotifyCredential.objects.count() == 1
    # A later grant without a refresh token (Spotify's refresh answers) keeps the one held.
    assert (stored.access_token, stored.refresh_token) == ("access-two", "refresh-one")
    assert stored.scope_list == ["user-top-read"] and stored.spotify_user_id == "ada"
    assert "access-two" not in _raw_access_token(stored)


def test_the_pause_in_force_is_the_one_ending_last_and_an_ended_one_is_none():
    credential = SpotifyCredentialFactory()
    later = timezone.now() + timedelta(hours=2)

    # Two processes met the quota: the later end wins, whichever wrote last.
    credentials.pause_spotify(until=later, reason="quota", retry_after=7200, user_id=credential.user_id)
    credentials.pause_spotify(until=later - timedelta(hours=1), reason="quota", retry_after=3600)
    assert selectors.spotify_paused_until() == later

    SpotifyPause.objects.update(until=timezone.now() - timedelta(seconds=1))
    assert selectors.spotify_paused_until() is None


def test_each_api_token_gets_its_own_random_secret_and_only_its_digest_is_kept():
    user = UserFactory()

    phone, phone_secret = services.create_api_token(user=user, name="phone")
    laptop, laptop_secret = services.create_api_token(user=user, name="laptop")

    assert phone_secret != laptop_secret and phone.prefix != laptop.prefix
    for token, secret in ((phone, phone_secret), (laptop, laptop_secret)):
        assert secret not in repr(token) and secret not in str(token)
        assert selectors.find_api_token(secret=secret) == token
    assert selectors.find_api_token(secret=phone_secret[:12] + laptop_secret[12:]) is None


def test_tokens_sharing_a_prefix_are_told_apart_by_their_digest():
    # Prefixes are not unique (a moved DRF token's first 12 hex digits may meet another's).
    first, second = f"{'a' * 12}first-secret", f"{'a' * 12}second-secret"
    ApiTokenFactory(name="one", secret=first)
    ApiTokenFactory(name="two", secret=second)

    assert selectors.find_api_token(secret=second).name == "two"
    assert selectors.find_api_token(secret=first).name == "one"


def test_the_create_api_token_command_prints_a_working_secret_once_and_keeps_the_limits(capsys):
    from django.core.management import CommandError, call_command
    from rest_framework.test import APIClient

    from accounts.models import ApiToken

    user = UserFactory(username="ci-listener")

    call_command("create_api_token", "ci-listener", name="ci", expires_in_days=1)
    secret = capsys.readouterr().out.strip()

    token = ApiToken.objects.get(user=user)
    assert token.name == "ci" and token.digest == ApiToken.digest_of(secret) and token.expires_at is not None
    assert APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {secret}").json()["id"] == user.pk
    with pytest.raises(CommandError, match="already have a token named"):
        call_command("create_api_token", "ci-listener", name="ci")
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", "nobody", name="ci")
