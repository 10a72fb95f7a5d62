"""Keeping one user's access token valid: refresh before expiry, one refresher at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import credentials
from accounts.models import SpotifyCredential
from spotify.errors import ReconnectNeeded, SpotifyMisconfigured, SpotifyUnavailable
from spotify.policy import TRANSIENT_STATUSES, parse_retry_after

logger = logging.getLogger(__name__)


class RefreshRateLimited(Exception):
    """The token endpoint answered 429; the caller's retry policy decides what to do."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"token endpoint rate limited for {retry_after} s")
        self.retry_after = retry_after


class RefreshTransient(Exception):
    """The token endpoint failed in a way worth retrying (5xx, network, garbled body)."""


def _expires_soon(expires_at: datetime) -> bool:
    return expires_at <= timezone.now() + timedelta(seconds=settings.SPOTIFY_REFRESH_MARGIN)


class AccessTokenKeeper:
    """The access token one client uses, refreshed when close to expiry or rejected.

    `post` sends one unmanaged POST (counted, but no retry policy): the caller's loop
    owns retries so that nothing sleeps while the credential row is locked.
    """

    def __init__(self, *, credential: SpotifyCredential, post: Callable[..., requests.Response]) -> None:
        self.credential_id = credential.pk
        self.user_id = credential.user_id
        self._access_token = credential.access_token
        self._expires_at = credential.expires_at
        self._rejected = False
        self._post = post

    def token(self) -> str:
        if self._rejected or _expires_soon(self._expires_at):
            self._refresh()
        return self._access_token

    def usable_token(self) -> str | None:
        """The token in hand if it needs no refresh now, else None.

        For requests sent outside the retry policy (the page prefetcher's workers): they
        never refresh; the next request through the policy does, and they use its result.
        """
        if self._rejected or _expires_soon(self._expires_at):
            return None
        return self._access_token

    def reject(self, token: str | None = None) -> None:
        """The API refused `token` (401), by default the current one: get another before
        the next request. A token already replaced since is no reason to refresh again."""
        if token is None or token == self._access_token:
            self._rejected = True

    def _adopt(self, credential: SpotifyCredential) -> None:
        self._access_token = credential.access_token
        self._expires_at = credential.expires_at
        self._rejected = False

    def _refresh(self) -> None:
        stale_token = self._access_token
        # The row lock serialises refreshers across processes (PostgreSQL; on SQLite the
        # IMMEDIATE transaction serialises writers anyway). Holding it across one HTTP call
        # is deliberate: two workers refreshing with the same refresh token could
        # invalidate each other's result when Spotify rotates refresh tokens. The call is a
        # single attempt bounded by SPOTIFY_HTTP_TIMEOUT; waits happen after the lock is released.
        with transaction.atomic():
            credential = SpotifyCredential.objects.select_for_update().get(pk=self.credential_id)
            if credential.reconnect_needed:
                raise ReconnectNeeded(credential.reconnect_reason or "Spotify access needs to be renewed.")
            if credential.access_token != stale_token and not _expires_soon(credential.expires_at):
                # Someone else refreshed while we waited for the lock: use their token.
                self._adopt(credential)
                return
            if not credential.refresh_token:
                failure: Exception = self._give_up(credential, "No refresh token is stored.")
            else:
                failure = self._exchange(credential)
        # Raised after the block so that a reconnect mark is committed, not rolled back.
        if failure is not None:
            raise failure

    def _give_up(self, credential: SpotifyCredential, reason: str) -> ReconnectNeeded:
        credentials.mark_reconnect_needed(credential=credential, reason=reason)
        return ReconnectNeeded(reason)

    def _exchange(self, credential: SpotifyCredential) -> Exception | None:
        """One refresh_token grant. Returns the error to raise, or None when the token is new."""
        try:
            response = self._post(
                f"{settings.SPOTIFY_ACCOUNTS_URL}/api/token",
                data={"grant_type": "refresh_token", "refresh_token": credential.refresh_token},
                auth=(settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET),
                timeout=settings.SPOTIFY_HTTP_TIMEOUT,
            )
        except requests.RequestException as exc:
            return RefreshTransient(f"token endpoint unreachable: {exc.__class__.__name__}")
        if response.status_code == 429:
            return RefreshRateLimited(parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code in TRANSIENT_STATUSES:
            return RefreshTransient(f"token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            return RefreshTransient(f"token endpoint sent an unreadable body ({response.status_code})")
        if not isinstance(body, dict):
            return RefreshTransient("token endpoint sent an unexpected body")
        if response.status_code == 200 and body.get("access_token"):
            credentials.save_refreshed_tokens(
                credential=credential,
                access_token=body["access_token"],
                refresh_token=body.get("refresh_token"),
                expires_in=int(body.get("expires_in") or 3600),
                scopes=body.get("scope"),
            )
            self._adopt(credential)
            return None
        error = str(body.get("error") or "")
        description = str(body.get("error_description") or "")
        if error == "invalid_grant":
            return self._give_up(credential, f"Spotify refused the stored grant ({description or error}).")
        if error in {"invalid_client", "unauthorized_client"}:
            return SpotifyMisconfigured(f"Spotify rejected the app's credentials ({error}).")
        logger.warning("Unexpected token endpoint answer %s %s", response.status_code, error)
        return SpotifyUnavailable(f"Spotify's token endpoint answered {response.status_code} {error}".strip())
