"""Reads from Spotify for a page: the dashboard's playlist count."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from accounts.models import User
from spotify import api
from spotify.client import get_spotify_client
from spotify.errors import ReconnectNeeded, SpotifyError, SpotifyRateLimited, SpotifyRefused, describe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaylistProbe:
    """The playlist count, or why we could not get it. Never raises into the page."""

    count: int | None = None
    error: str = ""
    rate_limited_until: datetime | None = None
    reconnect_needed: bool = False


def probe_playlists(*, user: User) -> PlaylistProbe:
    try:
        with get_spotify_client(user=user) as client:
            # One item is enough: the paging object carries the total.
            page = api.my_playlists(client=client, limit=1)
    except ReconnectNeeded:
        return PlaylistProbe(reconnect_needed=True)
    except SpotifyRateLimited as exc:
        return PlaylistProbe(rate_limited_until=exc.resume_at)
    except SpotifyError as exc:
        if isinstance(exc, SpotifyRefused):
            logger.warning("Spotify refused the playlist count for user %s: %s", user.pk, exc.status)
        return PlaylistProbe(error=describe(exc))
    total = page.get("total") if isinstance(page, dict) else None
    if not isinstance(total, int):
        return PlaylistProbe(error="Spotify sent an unexpected answer.")
    return PlaylistProbe(count=total)
