"""Writes for accounts: Spotify credentials, sign-in bookkeeping, API tokens."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import SpotifyCredential, User
from accounts.signals import spotify_signed_in

logger = logging.getLogger(__name__)


def _normalise_scopes(scopes: str | Iterable[str] | None) -> str:
    if scopes is None:
        return ""
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    return " ".join(sorted(set(items)))


def store_spotify_tokens(
    *,
    user: User,
    access_token: str,
    refresh_token: str | None,
    expires_in: int,
    scopes: str | Iterable[str] | None,
    spotify_user_id: str,
) -> SpotifyCredential:
    """Save a fresh grant from a sign-in (new or returning user), encrypted.

    A fresh grant also means the user is connected again, so the reconnect flag is cleared.
    """
    expires_at = timezone.now() + timedelta(seconds=int(expires_in))
    with transaction.atomic():
        credential = SpotifyCredential.objects.select_for_update().filter(user=user).first()
        if credential is None:
            # The Spotify account may still be recorded for a user it was unlinked from
            # (an admin deleted the SocialAccount); the grant now belongs to this user.
            SpotifyCredential.objects.filter(spotify_user_id=spotify_user_id).exclude(user=user).delete()
            # Spotify always sends a refresh token with an authorization code; if it ever
            # does not, the empty one makes the first refresh ask the user to reconnect.
            return SpotifyCredential.objects.create(
                user=user,
                spotify_user_id=spotify_user_id,
                access_token=access_token,
                refresh_token=refresh_token or "",
                expires_at=expires_at,
                scopes=_normalise_scopes(scopes),
            )
        credential.spotify_user_id = spotify_user_id
        credential.access_token = access_token
        if refresh_token:
            credential.refresh_token = refresh_token
        credential.expires_at = expires_at
        credential.scopes = _normalise_scopes(scopes) or credential.scopes
        credential.reconnect_needed = False
        credential.reconnect_reason = ""
        credential.save()
        return credential


def save_refreshed_tokens(
    *,
    credential: SpotifyCredential,
    access_token: str,
    refresh_token: str | None,
    expires_in: int,
    scopes: str | Iterable[str] | None,
) -> SpotifyCredential:
    """Store the result of a refresh_token grant.

    Spotify usually sends no new refresh token on refresh; the old one stays valid then.
    The caller holds the row lock (see accounts.spotify.tokens).
    """
    credential.access_token = access_token
    if refresh_token:
        credential.refresh_token = refresh_token
    credential.expires_at = timezone.now() + timedelta(seconds=int(expires_in))
    if scopes:
        credential.scopes = _normalise_scopes(scopes)
    credential.save(update_fields=["access_token", "refresh_token", "expires_at", "scopes", "updated_at"])
    return credential


def mark_reconnect_needed(*, credential: SpotifyCredential, reason: str) -> SpotifyCredential:
    credential.reconnect_needed = True
    credential.reconnect_reason = reason[:255]
    credential.save(update_fields=["reconnect_needed", "reconnect_reason", "updated_at"])
    logger.info("Spotify credential of user %s needs reconnecting: %s", credential.user_id, reason)
    return credential


def mark_rate_limited(*, user_id: int, until: datetime) -> None:
    # A conditional update: never move an already later "until" backwards.
    SpotifyCredential.objects.filter(user_id=user_id).exclude(rate_limited_until__gt=until).update(
        rate_limited_until=until
    )


def set_display_name(*, user: User, display_name: str) -> None:
    if display_name and user.display_name != display_name:
        user.display_name = display_name[:200]
        user.save(update_fields=["display_name"])


def on_spotify_sign_in(*, user: User, created: bool) -> None:
    """Runs after every Spotify sign-in, once the tokens are stored.

    Records the time and tells listeners (the import, in `sync`) through a signal, so
    accounts needs no knowledge of what happens after a sign-in.
    """
    SpotifyCredential.objects.filter(user=user).update(last_sign_in_at=timezone.now())
    spotify_signed_in.send(sender=User, user=user, created=created)


def get_or_create_api_token(*, user: User) -> tuple[Token, bool]:
    """The user's API token and whether it was just created."""
    return Token.objects.get_or_create(user=user)


def rotate_api_token(*, user: User) -> Token:
    """Replace the user's API token; scripts using the old one stop working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


@dataclass(frozen=True)
class RefreshOutcome:
    refreshed: int
    failed: int


def refresh_expiring_credentials(*, within: timedelta) -> RefreshOutcome:
    """Refresh every grant whose access token expires within `within` (or has expired), so the
    next task or page finds a fresh one instead of waiting on Spotify's token endpoint.

    One credential at a time, through the client's own refresher (row lock, one attempt, a
    revoked grant marked for reconnecting). Grants already marked for reconnecting are skipped:
    only a sign-in mends them. One that another process refreshed meanwhile counts as neither.
    """
    # Imported here: the token keeper imports this module for its writes.
    from accounts.exceptions import SpotifyError
    from accounts.spotify.http import SpotifySession
    from accounts.spotify.policy import SpotifyRequestStats
    from accounts.spotify.tokens import RefreshRateLimited, RefreshTransient

    due = SpotifyCredential.objects.filter(reconnect_needed=False, expires_at__lte=timezone.now() + within)
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
