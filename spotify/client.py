"""`get_spotify_client`: spotipy bound to one user's (encrypted, self-refreshing) tokens."""

from __future__ import annotations

import time
from collections.abc import Callable

import spotipy
from django.conf import settings

from accounts.models import SpotifyCredential, User
from spotify.errors import ReconnectNeeded
from spotify.http import SpotifySession
from spotify.policy import SpotifyRequestStats


class SpotifyClient:
    """`stats` counts what it sent. One per task or request; pass it to spotify.api's calls.

    `api` is the spotipy.Spotify those calls go through: only spotify/ touches it (tests may).
    Errors: ReconnectNeeded, SpotifyRateLimited, SpotifyUnavailable, SpotifyMisconfigured
    (spotify.errors); a 4xx Spotify answers on purpose (404, 403) is spotipy's
    SpotifyException here, which spotify.api turns into SpotifyRefused.
    """

    def __init__(self, *, credential: SpotifyCredential, sleep: Callable[[float], None] = time.sleep) -> None:
        self.user_id = credential.user_id
        self.stats = SpotifyRequestStats()
        self.session = SpotifySession(credential=credential, stats=self.stats, sleep=sleep)
        self.api = spotipy.Spotify(
            requests_session=self.session,
            # Unused with our own session, but stated so nothing ever rebuilds one that sleeps.
            retries=0,
            status_retries=0,
            requests_timeout=settings.SPOTIFY_HTTP_TIMEOUT,
        )
        self.api.prefix = f"{settings.SPOTIFY_API_URL}/"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SpotifyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<SpotifyClient user={self.user_id} requests={self.stats.requests}>"


def get_spotify_client(*, user: User) -> SpotifyClient:
    """A client for `user`; raises ReconnectNeeded when there is no usable grant."""
    credential = SpotifyCredential.objects.filter(user=user).first()
    if credential is None:
        raise ReconnectNeeded("Spotify is not connected yet.")
    if credential.reconnect_needed:
        raise ReconnectNeeded(credential.reconnect_reason or "Spotify access needs to be renewed.")
    return SpotifyClient(credential=credential)
