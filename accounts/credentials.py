"""Writes on a listener's SpotifyCredential: the grant from a sign-in, a refreshed token,
a revoked grant, Spotify refusing to serve the listener at all; and the app-wide pause
Spotify's quota imposes on every listener.

Its own module, importing nothing of the Spotify client, so that the client (spotify/)
can call these while accounts never needs the client: the arrow points one way only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import SignInRefusal, SpotifyAccess, SpotifyCredential, SpotifyPause, User

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
    account_id: str = "",
) -> SpotifyCredential:
    """Save a fresh grant from a sign-in (new or returning user), encrypted.

    A fresh grant also means the user is connected again, so the reconnect flag is cleared;
    and Spotify answered the profile request, so it serves this listener (the allowlist mark
    goes too).
    """
    now = timezone.now()
    expires_at = now + timedelta(seconds=int(expires_in))
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
                account_id=account_id,
                first_authorized_at=now,
            )
        if _starts_new_grant(credential, refresh_token=refresh_token, spotify_user_id=spotify_user_id, now=now):
            credential.first_authorized_at = now
        credential.spotify_user_id = spotify_user_id
        credential.account_id = account_id or credential.account_id
        credential.access_token = access_token
        if refresh_token:
            credential.refresh_token = refresh_token
        credential.expires_at = expires_at
        credential.scopes = _normalise_scopes(scopes) or credential.scopes
        credential.reconnect_needed = False
        credential.reconnect_reason = ""
        if credential.access != SpotifyAccess.SERVED:
            credential.access = SpotifyAccess.SERVED
            credential.access_changed_at = now
        credential.save()
        return credential


def store_spotify_grant(*, user: User, grant: dict, spotify_user_id: str) -> SpotifyCredential:
    """Save a grant as Spotify's token endpoint answers it (access_token, refresh_token,
    expires_in, scope), through the sign-in's own path: the benchmarks, the fuzzer's seed and the
    cluster tests store their sandbox listeners' grants here, so they hold what a sign-in holds."""
    return store_spotify_tokens(
        user=user,
        access_token=grant["access_token"],
        refresh_token=grant.get("refresh_token"),
        expires_in=grant["expires_in"],
        scopes=grant.get("scope"),
        spotify_user_id=spotify_user_id,
    )


def grant_ends_at(credential: SpotifyCredential) -> datetime | None:
    """When Spotify ends the grant we hold (its refresh token stops working), if known."""
    if credential.first_authorized_at is None:
        return None
    return credential.first_authorized_at + timedelta(days=settings.SPOTIFY_GRANT_LIFETIME_DAYS)


def _starts_new_grant(
    credential: SpotifyCredential, *, refresh_token: str | None, spotify_user_id: str, now: datetime
) -> bool:
    """Does this sign-in start a new grant, whose lifetime counts from now?

    The rule: Spotify's six months count from the authorisation that issued the refresh token
    (refreshing never extends them), and every sign-in is a new authorisation whose code brings
    a new refresh token: that is why signing in again ("Reconnect Spotify before …") is the
    cure the dashboard offers, as other projects' "re-login every few months" advice shows.
    So the clock starts again whenever this sign-in stores a refresh token; a sign-in that
    brings none (allauth restored it without the token) keeps the grant we hold, unless that
    grant is already lost (marked for reconnecting, past its end, another account's, or of
    unknown start).
    """
    if refresh_token:
        return True
    if credential.first_authorized_at is None or credential.reconnect_needed:
        return True
    if not credential.refresh_token or credential.spotify_user_id != spotify_user_id:
        return True
    ends_at = grant_ends_at(credential)
    return ends_at is not None and ends_at <= now


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


def mark_not_allowlisted(*, user_id: int) -> bool:
    """Spotify refuses to serve this listener (Development-mode app, not on its user list).

    A conditional update: only the first refusal writes, so a run meeting it on every request
    costs one write. True when this call set the mark.
    """
    marked = (
        SpotifyCredential.objects.filter(user_id=user_id)
        .exclude(access=SpotifyAccess.NOT_ALLOWLISTED)
        .update(access=SpotifyAccess.NOT_ALLOWLISTED, access_changed_at=timezone.now())
    )
    if marked:
        logger.info("Spotify does not serve user %s: not on the Development-mode app's user list", user_id)
    return bool(marked)


def clear_not_allowlisted(*, user_id: int) -> bool:
    """Spotify served this listener again (the operator listed them): the mark goes."""
    return bool(
        SpotifyCredential.objects.filter(user_id=user_id, access=SpotifyAccess.NOT_ALLOWLISTED).update(
            access=SpotifyAccess.SERVED, access_changed_at=timezone.now()
        )
    )


def record_sign_in_refusal(*, reason: str, spotify_user_id: str = "") -> SignInRefusal:
    """Count a sign-in Spotify refused, for the operator's admin list."""
    logger.warning("A Spotify sign-in was refused: %s", reason)
    return SignInRefusal.objects.create(reason=reason, spotify_user_id=spotify_user_id[:255])
