"""The Spotify reads an import makes, at the fewest requests each allows.

Development-mode apps (February 2026) read playlist items from `/playlists/{id}/items`,
50 a page; Extended-mode apps may still use the legacy `/playlists/{id}/tracks`, 100 a
page, which halves the requests for a big library. Pages are yielded one at a time so the
caller keeps only what it parsed, and follow Spotify's own `next` links.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from spotipy import SpotifyException

from accounts.spotify.client import SpotifyClient

LISTING_PAGE = 50  # /me/playlists and /me/tracks allow at most 50
ITEMS_PAGE = {"development": 50, "extended": 100}
ADDITIONAL_TYPES = ("track", "episode")


class ItemsRefused(Exception):
    """Spotify answered 403 for a playlist's items (Development mode: not the user's playlist)."""


class PlaylistGone(Exception):
    """Spotify answered 404 for a playlist's items: deleted since the listing was read."""


class _ExpectedRefusals(logging.Filter):
    """spotipy logs every 4xx at ERROR; the 403s of Development mode on other people's
    playlists are expected and handled, so they must not page anybody."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("/playlists/" in message and "returned 403" in message)


logging.getLogger("spotipy.client").addFilter(_ExpectedRefusals())


class SpotifyReader:
    def __init__(self, *, client: SpotifyClient, mode: str) -> None:
        self.api = client.api
        self.mode = mode
        self.items_page_size = ITEMS_PAGE[mode]

    def playlists(self) -> list[dict[str, Any]]:
        """Every playlist in the user's list, in Spotify's order."""
        found: list[dict[str, Any]] = []
        for page in self._pages(self.api.current_user_playlists(limit=LISTING_PAGE, offset=0)):
            found.extend(obj for obj in page.get("items") or [] if obj and obj.get("id"))
        return found

    def liked_songs_first_page(self) -> dict[str, Any]:
        return self.api.current_user_saved_tracks(limit=LISTING_PAGE, offset=0)

    def pages_after(self, page: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The pages that follow one already in hand (Liked Songs reuses its first page)."""
        return self._pages(page, include_first=False)

    def playlist_item_pages(self, playlist_id: str) -> Iterator[dict[str, Any]]:
        """Every page of a playlist's items; raises ItemsRefused on a 403, PlaylistGone on a 404."""
        try:
            if self.mode == "extended":
                first = self.api._get(
                    f"playlists/{playlist_id}/tracks",
                    limit=self.items_page_size,
                    offset=0,
                    additional_types=",".join(ADDITIONAL_TYPES),
                )
            else:
                first = self.api.playlist_items(
                    playlist_id, limit=self.items_page_size, offset=0, additional_types=ADDITIONAL_TYPES
                )
        except SpotifyException as exc:
            if exc.http_status == 403:
                raise ItemsRefused(playlist_id) from exc
            if exc.http_status == 404:
                raise PlaylistGone(playlist_id) from exc
            raise
        yield from self._pages(first)

    def _pages(self, page: dict[str, Any] | None, *, include_first: bool = True) -> Iterator[dict[str, Any]]:
        if page is not None and include_first:
            yield page
        while page is not None and page.get("next"):
            page = self.api.next(page)
            if page is not None:
                yield page
