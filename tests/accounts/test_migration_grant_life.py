"""accounts 0004 dates the grants stored before it: from the last sign-in (which issued the
refresh token we hold), else from the credential's creation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0003_spotify_pause_is_app_wide")]
AFTER = [("accounts", "0004_spotify_access_grant_life_account_id")]
SIGNED_IN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_existing_grants_are_dated_from_their_last_sign_in_else_their_creation():
    old = migrate_to(BEFORE)
    User = old.get_model("accounts", "User")
    Credential = old.get_model("accounts", "SpotifyCredential")

    def credential(name: str, **fields):
        return Credential.objects.create(
            user=User.objects.create(username=name), spotify_user_id=name, access_token="a",
            refresh_token="r", expires_at=SIGNED_IN, **fields,
        )  # fmt: skip

    signed = credential("signed", last_sign_in_at=SIGNED_IN)
    never = credential("never")

    new = migrate_to(AFTER)
    Credential = new.get_model("accounts", "SpotifyCredential")
    assert Credential.objects.get(pk=signed.pk).first_authorized_at == SIGNED_IN
    never_row = Credential.objects.get(pk=never.pk)
    assert never_row.first_authorized_at == never_row.created_at
    migrate_to_latest()
