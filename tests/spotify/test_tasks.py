"""The token refresh task against the Spotify sandbox (moved here from insights' job tests with
the task itself)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SpotifyCredential
from core import queues
from spotify import tasks
from tests.accounts.factories import SpotifyCredentialFactory
from tests.support.queue import InlineQueue
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline(monkeypatch) -> InlineQueue:
    """The round's chunks run at once, here."""
    ran = InlineQueue()
    monkeypatch.setattr(queues, "async_task", ran)
    return ran


def test_the_refresh_round_refreshes_tokens_expiring_within_30_minutes_and_leaves_the_rest(sandbox, inline):
    expiring = signed_in(sandbox, "demo")
    SpotifyCredential.objects.filter(user=expiring).update(expires_at=timezone.now() + timedelta(minutes=20))
    fresh = signed_in(sandbox, "other")  # an hour left
    needs_reconnect = SpotifyCredentialFactory(reconnect=True, expired=True)
    before = {c.user_id: c.access_token for c in SpotifyCredential.objects.all()}

    assert tasks.refresh_expiring_tokens() == "token refresh: 1 listener(s) in 1 task(s)"
    assert inline.calls == [("spotify.tasks.refresh_tokens_of", [expiring.pk])]
    assert inline.options[0]["cluster"] == "linernotes-test-bulk" and inline.options[0]["timeout"] == 120

    after = {c.user_id: c for c in SpotifyCredential.objects.all()}
    assert after[expiring.pk].access_token != before[expiring.pk]
    assert after[expiring.pk].expires_at > timezone.now() + timedelta(minutes=30)
    assert after[fresh.pk].access_token == before[fresh.pk]
    assert after[needs_reconnect.user_id].access_token == before[needs_reconnect.user_id]


def test_a_revoked_grant_fails_its_chunk_and_is_marked_for_reconnecting(sandbox, inline):
    revoked = signed_in(sandbox, "demo")
    SpotifyCredential.objects.filter(user=revoked).update(expires_at=timezone.now() + timedelta(minutes=5))
    sandbox.revoke(refresh_token=revoked.spotify_credential.refresh_token)

    tasks.refresh_expiring_tokens()

    (failure,) = inline.failures  # the chunk's task failed: a failed job for staff to see
    assert isinstance(failure, tasks.TokenRefreshFailed) and "0 token(s) refreshed, 1 failed" in str(failure)

    assert SpotifyCredential.objects.get(user=revoked).reconnect_needed is True
    assert tasks.refresh_expiring_tokens() == "token refresh: 0 listener(s) in 0 task(s)"  # not tried again
    assert tasks.refresh_tokens_of([revoked.pk]) == "0 token(s) refreshed, 0 failed"


def test_the_round_queues_a_chunk_per_listeners_and_a_refused_chunk_stops_no_other(sandbox, settings, monkeypatch):
    settings.LISTENER_ROUND_CHUNK = 2
    users = [
        SpotifyCredentialFactory(expires_at=timezone.now() + timedelta(minutes=10 + n)).user for n in range(5)
    ]
    sent: list[tuple] = []

    def broker(func, *args, **kwargs):
        sent.append((func, *args))
        if len(sent) == 2:
            raise ConnectionError("broker away")
        return f"task-{len(sent)}"

    monkeypatch.setattr(queues, "async_task", broker)

    said = tasks.refresh_expiring_tokens()

    assert said == "token refresh: 5 listener(s) in 2 task(s), 1 chunk(s) refused by the broker"
    assert [args[1] for args in sent] == [[u.pk for u in users[:2]], [u.pk for u in users[2:4]], [users[4].pk]]
