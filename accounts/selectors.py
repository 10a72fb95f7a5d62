"""Reads for accounts, always for one user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import SpotifyCredential, User


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
    RATE_LIMITED = "rate_limited", "Rate limited"
    NOT_CONNECTED = "not_connected", "Not connected"


@dataclass(frozen=True)
class ConnectionState:
    status: ConnectionStatus
    spotify_user_id: str | None = None
    token_expires_at: datetime | None = None
    rate_limited_until: datetime | None = None
    reconnect_reason: str = ""

    @property
    def can_call_spotify(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED


def get_credential(*, user: User) -> SpotifyCredential | None:
    return SpotifyCredential.objects.filter(user=user).first()


def get_connection_state(*, user: User) -> ConnectionState:
    credential = get_credential(user=user)
    if credential is None:
        return ConnectionState(status=ConnectionStatus.NOT_CONNECTED)
    if credential.reconnect_needed:
        status = ConnectionStatus.RECONNECT_NEEDED
    elif credential.rate_limited_until and credential.rate_limited_until > timezone.now():
        status = ConnectionStatus.RATE_LIMITED
    else:
        status = ConnectionStatus.CONNECTED
    return ConnectionState(
        status=status,
        spotify_user_id=credential.spotify_user_id,
        token_expires_at=credential.expires_at,
        rate_limited_until=credential.rate_limited_until if status == ConnectionStatus.RATE_LIMITED else None,
        reconnect_reason=credential.reconnect_reason if status == ConnectionStatus.RECONNECT_NEEDED else "",
    )


def get_api_token(*, user: User) -> Token | None:
    return Token.objects.filter(user=user).first()
