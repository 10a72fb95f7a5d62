"""The token refresh task against the Spotify sandbox (moved here from insights' job tests with
the task itself)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SpotifyCredential
from spotify import tasks
from tests.accounts.factories import SpotifyCredentialFactory
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db


def test_the_refresh_task_refreshes_tokens_expiring_within_30_minutes_and_leaves_the_rest(sandbox):
    expiring = signed_in(sandbox, "demo")
    SpotifyCredential.objects.filter(user=expiring).update(expires_at=timezone.now() + timedelta(minutes=20))
    fresh = signed_in(sandbox, "other")  # an hour left
    needs_reconnect = SpotifyCredentialFactory(reconnect=True, expired=True)
    before = {c.user_id: c.access_token for c in SpotifyCredential.objects.all()}

    assert tasks.refresh_expiring_tokens() == "1 token(s) refreshed, 0 failed"

    after = {c.user_id: c for c in SpotifyCredential.objects.all()}
    assert after[expiring.pk].access_token != before[expiring.pk]
    assert after[expiring.pk].expires_at > timezone.now() + timedelta(minutes=30)
    assert after[fresh.pk].access_token == before[fresh.pk]
    assert after[needs_reconnect.user_id].access_token == before[needs_reconnect.user_id]


def test_a_revoked_grant_counts_as_failed_and_is_marked_for_reconnecting(sandbox):
    revoked = signed_in(sandbox, "demo")
    SpotifyCredential.objects.filter(user=revoked).update(expires_at=timezone.now() + timedelta(minutes=5))
    sandbox.revoke(refresh_token=revoked.spotify_credential.refresh_token)

    with pytest.raises(tasks.TokenRefreshFailed, match="0 token.s. refreshed, 1 failed"):
        tasks.refresh_expiring_tokens()  # a failed job for staff to see

    assert SpotifyCredential.objects.get(user=revoked).reconnect_needed is True
    assert tasks.refresh_expiring_tokens() == "0 token(s) refreshed, 0 failed"  # not tried again
