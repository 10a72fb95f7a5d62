"""Writes that need Spotify's Accounts service: keeping every stored grant fresh."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import SpotifyCredential
from spotify.errors import SpotifyError
from spotify.http import SpotifySession
from spotify.policy import SpotifyRequestStats
from spotify.tokens import RefreshRateLimited, RefreshTransient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefreshOutcome:
    refreshed: int
    failed: int
    paused: int = 0  # due, but left alone: Spotify has paused this deployment


def expiring_credentials(*, within: timedelta):
    """The grants to refresh: not marked for reconnecting, access expiring within `within`."""
    return SpotifyCredential.objects.filter(reconnect_needed=False, expires_at__lte=timezone.now() + within)


def refresh_expiring_credentials(*, within: timedelta, user_ids: Sequence[int] | None = None) -> RefreshOutcome:
    """Refresh every grant whose access token expires within `within` (or has expired), so the
    next task or page finds a fresh one instead of waiting on Spotify's token endpoint.

    One credential at a time, through the client's own refresher (row lock, one attempt, a
    revoked grant marked for reconnecting). Grants already marked for reconnecting are skipped:
    only a sign-in mends them. One that another process refreshed meanwhile counts as neither.
    """
    due = expiring_credentials(within=within)
    if user_ids is not None:  # one chunk of the round (spotify.tasks)
        due = due.filter(user_id__in=user_ids)
    if account_selectors.spotify_paused_until() is not None:
        # Nothing is sent while Spotify's pause lasts; the first run after it refreshes them (and
        # any request meanwhile would refresh its own token first anyway).
        return RefreshOutcome(refreshed=0, failed=0, paused=due.count())
    refreshed = failed = 0
    for credential in due.order_by("expires_at"):
        session = SpotifySession(credential=credential, stats=SpotifyRequestStats())
        try:
            # The keeper refreshes on its own only inside SPOTIFY_REFRESH_MARGIN; rejecting the
            # token in hand makes it refresh now, unless someone replaced it meanwhile.
            session.keeper.reject()
            session.keeper.token()
        except (SpotifyError, RefreshRateLimited, RefreshTransient) as exc:
            failed += 1
            logger.warning("Refreshing the Spotify token of user %s failed: %s", credential.user_id, exc)
        else:
            refreshed += 1 if session.stats.refreshes else 0
        finally:
            session.close()
    return RefreshOutcome(refreshed=refreshed, failed=failed)
