"""Reads for accounts, always for one user."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from accounts.access import NOT_ALLOWLISTED_MESSAGE
from accounts.credentials import grant_ends_at
from accounts.models import ApiToken, SpotifyAccess, SpotifyCredential, SpotifyPause, User


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
    # Spotify serves no request for this listener (Development-mode app, not on its list).
    NOT_ALLOWLISTED = "not_allowlisted", "Not on the app's user list"
    RATE_LIMITED = "rate_limited", "Rate limited"
    NOT_CONNECTED = "not_connected", "Not connected"


@dataclass(frozen=True)
class ConnectionState:
    status: ConnectionStatus
    spotify_user_id: str | None = None
    # The name the listener goes by on Spotify, for "Connected as …": never the raw user id.
    spotify_name: str = ""
    token_expires_at: datetime | None = None
    rate_limited_until: datetime | None = None
    reconnect_reason: str = ""
    # When Spotify ends the grant (SPOTIFY_GRANT_LIFETIME_DAYS after its first authorisation).
    grant_ends_at: datetime | None = None

    @property
    def can_call_spotify(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED

    @property
    def not_allowlisted_message(self) -> str:
        return NOT_ALLOWLISTED_MESSAGE if self.status == ConnectionStatus.NOT_ALLOWLISTED else ""

    @property
    def grant_warning(self) -> str:
        """The dashboard's notice in the last SPOTIFY_GRANT_WARNING_DAYS of a working grant;
        the date in the server's time zone, where the listener reads it."""
        if self.grant_ends_at is None or self.status in (
            ConnectionStatus.NOT_CONNECTED,
            ConnectionStatus.RECONNECT_NEEDED,
        ):
            return ""
        if timezone.now() < self.grant_ends_at - timedelta(days=settings.SPOTIFY_GRANT_WARNING_DAYS):
            return ""
        if self.grant_ends_at <= timezone.now():
            # Past its end by our count (a grant stored before we counted): say so, not a past date.
            return "Your Spotify access has probably ended: reconnect Spotify now to keep your imports running."
        end = timezone.localtime(self.grant_ends_at)
        return f"Reconnect Spotify before {end.day} {end:%B} to keep your imports running."


def get_credential(*, user: User) -> SpotifyCredential | None:
    return SpotifyCredential.objects.filter(user=user).first()


def get_connection_state(*, user: User) -> ConnectionState:
    credential = get_credential(user=user)
    if credential is None:
        return ConnectionState(status=ConnectionStatus.NOT_CONNECTED)
    # The pause is the whole deployment's (Spotify's quota is per developer account), so every
    # listener is told, not only the one whose request met it.
    paused_until = spotify_paused_until()
    if credential.reconnect_needed:
        status = ConnectionStatus.RECONNECT_NEEDED
    elif credential.access == SpotifyAccess.NOT_ALLOWLISTED:
        status = ConnectionStatus.NOT_ALLOWLISTED
    elif paused_until is not None:
        status = ConnectionStatus.RATE_LIMITED
    else:
        status = ConnectionStatus.CONNECTED
    return ConnectionState(
        status=status,
        spotify_user_id=credential.spotify_user_id,
        spotify_name=_spotify_name(user=user, spotify_user_id=credential.spotify_user_id),
        token_expires_at=credential.expires_at,
        rate_limited_until=paused_until if status == ConnectionStatus.RATE_LIMITED else None,
        reconnect_reason=credential.reconnect_reason if status == ConnectionStatus.RECONNECT_NEEDED else "",
        grant_ends_at=grant_ends_at(credential),
    )


def _spotify_name(*, user: User, spotify_user_id: str) -> str:
    """The listener's Spotify display name: the sign-in copies it from Spotify's profile (the
    social account's extra_data) onto the user every time, so no query here. Empty rather than
    the user id, which a profile without a display name would otherwise show."""
    name = user.display_name.strip()
    return "" if name == spotify_user_id else name


def spotify_paused_until() -> datetime | None:
    """When the deployment's Spotify pause ends, or None when Spotify may be called now (one
    indexed read: spotify.http makes it before every request)."""
    return (
        SpotifyPause.objects.filter(until__gt=timezone.now())
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


def get_current_pause() -> SpotifyPause | None:
    """The app-wide Spotify pause in force now (the one ending last), for staff and /health."""
    return SpotifyPause.objects.filter(until__gt=timezone.now()).order_by("-until").first()


def spotify_pause_warning() -> str:
    """For /health: a sentence while Spotify has paused this deployment, else ""."""
    pause = get_current_pause()
    if pause is None:
        return ""
    return (
        f"Spotify paused this deployment until {pause.until.isoformat(timespec='seconds')} "
        f"({pause.get_reason_display().lower()}); Spotify work waits until then."
    )


def list_api_tokens(*, user: User) -> list[ApiToken]:
    """The listener's API tokens, newest first, without their digests."""
    return list(ApiToken.objects.filter(user=user).defer("digest"))


def get_api_token(*, user: User, pk: int) -> ApiToken | None:
    """One of the listener's tokens; another listener's is None, as if it did not exist."""
    return ApiToken.objects.filter(user=user, pk=pk).defer("digest").first()


def find_api_token(*, secret: str) -> ApiToken | None:
    """The token whose secret is `secret`, with its user, expired or not (the caller decides).

    Found by its prefix (not secret: shown on the dashboard and in the admin), then the digests
    compared in constant time, so the answer's timing says nothing about the secret."""
    digest = ApiToken.digest_of(secret)
    candidates = ApiToken.objects.filter(prefix=ApiToken.prefix_of(secret)).select_related("user")
    found = None
    for token in candidates:
        if hmac.compare_digest(token.digest, digest):
            found = token
    return found
