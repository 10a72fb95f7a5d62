"""Writes on a listener's SpotifyCredential: the grant from a sign-in, a refreshed token,
a revoked grant; and the app-wide pause Spotify's quota imposes on every listener.

Its own module, importing nothing of the Spotify client, so that the client (spotify/)
can call these while accounts never needs the client: the arrow points one way only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import SpotifyCredential, SpotifyPause, User

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
    The caller holds the row lock (see spotify.tokens).
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


def pause_spotify(
    *, until: datetime, reason: str, retry_after: int, message: str = "", user_id: int | None = None
) -> SpotifyPause:
    """Stop every Spotify call of this deployment until `until` (spotify.http checks before each).
    Two processes meeting the same quota 429 write two rows; the later `until` wins on reading."""
    pause = SpotifyPause.objects.create(
        until=until, reason=reason, retry_after=retry_after, message=message[:255], user_id=user_id
    )
    logger.warning("Spotify paused for this deployment until %s (%s)", until.isoformat(), reason)
    return pause
