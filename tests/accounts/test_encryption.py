"""Tokens are encrypted at rest, never printed, and survive key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.fields import DecryptionError
from accounts.models import SpotifyCredential
from tests.accounts.factories import SpotifyCredentialFactory

pytestmark = pytest.mark.django_db

ACCESS = "plain-access-token-abcdef123456"
REFRESH = "plain-refresh-token-zyxwvu654321"


def _raw_columns(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT access_token, refresh_token FROM {SpotifyCredential._meta.db_table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def test_the_database_column_holds_ciphertext_that_decrypts_to_the_token():
    credential = SpotifyCredentialFactory(access_token=ACCESS, refresh_token=REFRESH)

    raw_access, raw_refresh = _raw_columns(credential.pk)
    stored = SpotifyCredential.objects.get(pk=credential.pk)

    assert ACCESS not in raw_access and REFRESH not in raw_refresh
    assert "token" not in raw_access.lower()
    assert (stored.access_token, stored.refresh_token) == (ACCESS, REFRESH)


def test_the_same_token_encrypts_differently_each_time():
    first = SpotifyCredentialFactory(access_token=ACCESS)
    second = SpotifyCredentialFactory(access_token=ACCESS)

    assert _raw_columns(first.pk)[0] != _raw_columns(second.pk)[0]


def test_str_and_repr_show_no_token():
    credential = SpotifyCredentialFactory(access_token=ACCESS, refresh_token=REFRESH)

    for text in (str(credential), repr(credential)):
        assert ACCESS not in text and REFRESH not in text
        assert credential.spotify_user_id in text


def test_searching_an_encrypted_column_is_refused_instead_of_silently_matching_nothing():
    SpotifyCredentialFactory(access_token=ACCESS)

    with pytest.raises(FieldError):
        list(SpotifyCredential.objects.filter(access_token=ACCESS))
    assert SpotifyCredential.objects.filter(access_token__isnull=False).count() == 1


def test_a_value_no_configured_key_can_decrypt_raises_without_showing_it(settings):
    credential = SpotifyCredentialFactory(access_token=ACCESS)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError) as error:
        SpotifyCredential.objects.get(pk=credential.pk)

    assert _raw_columns(credential.pk)[0] not in str(error.value)


def test_rotation_reencrypts_every_row_under_the_new_key_and_is_idempotent(settings, capsys):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    credentials = [
        SpotifyCredentialFactory(access_token=f"{ACCESS}-{i}", refresh_token=f"{REFRESH}-{i}")
        for i in range(5)
    ]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    # With the new key in front, rows written under the old key still decrypt.
    assert SpotifyCredential.objects.get(pk=credentials[0].pk).access_token == f"{ACCESS}-0"

    call_command("rotate_encryption_keys", batch_size=2)
    first_run = capsys.readouterr().out
    call_command("rotate_encryption_keys", batch_size=2)
    second_run = capsys.readouterr().out

    assert "accounts.SpotifyCredential: 5 row(s) re-encrypted, 0 already current" in first_run
    assert "accounts.SpotifyCredential: 0 row(s) re-encrypted, 5 already current" in second_run
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    for i, credential in enumerate(credentials):
        stored = SpotifyCredential.objects.get(pk=credential.pk)
        assert (stored.access_token, stored.refresh_token) == (f"{ACCESS}-{i}", f"{REFRESH}-{i}")
        assert ACCESS not in _raw_columns(credential.pk)[0]


def test_rotation_reports_rows_no_key_decrypts_and_leaves_them_alone(settings, capsys):
    lost_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [lost_key]
    orphan = SpotifyCredentialFactory()
    raw_before = _raw_columns(orphan.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    SpotifyCredentialFactory()

    with pytest.raises(CommandError, match="1 row"):
        call_command("rotate_encryption_keys")

    assert "1 row(s) re-encrypted" not in capsys.readouterr().out
    assert _raw_columns(orphan.pk) == raw_before
