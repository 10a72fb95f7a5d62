"""The Spotify reads an import makes, at the fewest requests each allows.

Development-mode apps (February 2026) read playlist items from `/playlists/{id}/items`,
50 a page; Extended-mode apps may still use the legacy `/playlists/{id}/tracks`, 100 a
page, which halves the requests for a big library. Pages are yielded one at a time so the
caller keeps only what it parsed.

Sequentially (SPOTIFY_FETCH_CONCURRENCY=1, or anything not planned ahead) pages follow
Spotify's own `next` links. With `read_ahead`, the item pages of the playlists to import
are requested before they are read: their offsets follow from the items total in the
listing, so a few threads fetch them in the import's order while the caller writes the
playlists before (spotify.prefetch). A playlist that grew since the listing
continues from its last page's `next` link, so nothing is missed either way.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spotify import api
from spotify.client import SpotifyClient
from spotify.errors import SpotifyRefused
from spotify.prefetch import PagePrefetcher, PageRequest

LISTING_PAGE = 50  # /me/playlists and /me/tracks allow at most 50
ITEMS_PAGE = {"development": 50, "extended": 100}
LIKED_SONGS_PAGES = "liked-songs"  # the prefetcher's key for the pages after Liked Songs' first


@dataclass(frozen=True, slots=True)
class PlannedItems:
    """A playlist whose items will be read, as the listing describes it."""

    playlist_id: str
    items_total: int
    # Likely refused (Development mode, someone else's playlist): ask for its first page
    # alone, and for the others only once that one is served.
    first_page_alone: bool = False


@dataclass(frozen=True, slots=True)
class PlaylistListing:
    """The user's playlists as listed, and whether the listing can be trusted to be whole.

    `complete` only when every entry was a different playlist (no null rows, no repeats), the
    entries add up to Spotify's `total`, and that total did not move between pages: an offset-paged listing
    that shifted under us (a playlist unfollowed between two pages) skips an entry without
    a word, and a missing playlist must then not be taken for a deleted one.
    """

    playlists: list[dict[str, Any]]
    complete: bool
    null_rows: int = 0  # null entries Spotify sent in the listing, skipped


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
    def __init__(self, *, client: SpotifyClient, mode: str, concurrency: int = 1) -> None:
        self.client = client
        self.mode = mode
        self.items_page_size = ITEMS_PAGE[mode]
        self.concurrency = concurrency
        self._ahead: PagePrefetcher | None = None

    def read_ahead(
        self,
        *,
        liked_first_page: dict[str, Any] | None,
        playlists: Sequence[PlannedItems],
        may_read_on: Callable[[], bool] | None = None,
    ) -> None:
        """Start fetching, in this order, the Liked Songs pages after `liked_first_page`
        (None: not needed) and every item page of `playlists`. A no-op at concurrency 1.
        `may_read_on`: asked before reading ahead into the next playlist (PagePrefetcher)."""
        if self.concurrency <= 1:
            return
        self._ahead = PagePrefetcher(client=self.client, workers=self.concurrency, may_read_on=may_read_on)
        base_url = api.api_base_url(client=self.client)
        if liked_first_page is not None:
            total = int(liked_first_page.get("total") or 0)
            size = int(liked_first_page.get("limit") or LISTING_PAGE)
            self._ahead.add(
                LIKED_SONGS_PAGES,
                [
                    PageRequest(f"{base_url}/me/tracks", (("limit", size), ("offset", offset)))
                    for offset in range(size, total, size)
                ],
            )
        endpoint = "tracks" if self.mode == "extended" else "items"
        size = self.items_page_size
        types = ",".join(api.PLAYLIST_ITEM_TYPES)
        for playlist in playlists:
            pages = math.ceil(playlist.items_total / size)
            if not pages:
                continue
            self._ahead.add(
                playlist.playlist_id,
                [
                    PageRequest(
                        f"{base_url}/playlists/{playlist.playlist_id}/{endpoint}",
                        (("limit", size), ("offset", n * size), ("additional_types", types)),
                    )
                    for n in range(pages)
                ],
                gated=playlist.first_page_alone,
            )

    def wind_down(self) -> None:
        """Read no further ahead than the pages already sent (the run stops soon, and pages read
        for a playlist it will not reach would be sent again by the next run)."""
        if self._ahead is not None:
            self._ahead.wind_down()

    def read_ahead_started(self, playlist_id: str) -> bool:
        """Whether some of this playlist's item pages were already sent ahead."""
        return self._ahead is not None and self._ahead.sent_any(playlist_id)

    def close(self) -> None:
        """Stop any reading ahead (cancel what has not started); idempotent."""
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None

    def playlists(self) -> PlaylistListing:
        """Every playlist in the user's list, in Spotify's order, and whether that is all of them."""
        found: list[dict[str, Any]] = []
        totals: set[int | None] = set()
        null_rows = 0
        for page in self._pages(api.my_playlists(client=self.client, limit=LISTING_PAGE)):
            totals.add(page.get("total") if isinstance(page.get("total"), int) else None)
            for obj in page.get("items") or []:
                if obj and obj.get("id"):
                    found.append(obj)
                else:
                    null_rows += 1
        (total,) = totals if len(totals) == 1 else (None,)
        # A playlist moved up between pages shows twice while another is skipped, at an unchanged
        # total: so every entry must be a different playlist, as many as the total.
        distinct = len({obj["id"] for obj in found})
        return PlaylistListing(
            playlists=found, complete=not null_rows and total == distinct == len(found), null_rows=null_rows
        )

    def liked_songs_first_page(self) -> dict[str, Any]:
        return api.saved_tracks(client=self.client, limit=LISTING_PAGE)

    def pages_after(self, page: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The pages that follow one already in hand (Liked Songs reuses its first page)."""
        return self._pages(page, include_first=False)

    def liked_songs_pages_after(self, first_page: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The Liked Songs pages after its first, read ahead if they were planned."""
        if self._ahead is not None and LIKED_SONGS_PAGES in self._ahead:
            return self._read_ahead(LIKED_SONGS_PAGES, first_page=first_page)
        return self.pages_after(first_page)

    def playlist_item_pages(self, playlist_id: str, *, offset: int = 0) -> Iterator[dict[str, Any]]:
        """Every page of a playlist's items from `offset` (a caller that already holds the
        first rows, embedded in GET /playlists/{id}, reads on from there); raises
        ItemsRefused on a 403, PlaylistGone on a 404."""
        if offset == 0 and self._ahead is not None and playlist_id in self._ahead:
            try:
                yield from self._read_ahead(playlist_id)
            except SpotifyRefused as exc:
                # Read ahead, any page may be the one that meets the refusal or the
                # deletion, so they mean the same on every page.
                if exc.status == 403:
                    raise ItemsRefused(playlist_id) from exc
                if exc.status == 404:
                    raise PlaylistGone(playlist_id) from exc
                raise
            return
        try:
            first = api.playlist_items(
                client=self.client,
                playlist_id=playlist_id,
                limit=self.items_page_size,
                offset=offset,
                legacy=self.mode == "extended",
            )
        except SpotifyRefused as exc:
            if exc.status == 403:
                raise ItemsRefused(playlist_id) from exc
            if exc.status == 404:
                raise PlaylistGone(playlist_id) from exc
            raise
        yield from self._pages(first)

    def _read_ahead(self, key: str, *, first_page: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        assert self._ahead is not None
        last = first_page
        for page in self._ahead.pages(key):
            last = page
            if page is not None:  # an empty answer, as spotipy reads it: no rows
                yield page
        # Grown since the listing (or since the first page): Spotify's next link goes on.
        if last is not None and last.get("next"):
            yield from self._pages(last, include_first=False)

    def _pages(self, page: dict[str, Any] | None, *, include_first: bool = True) -> Iterator[dict[str, Any]]:
        if page is not None and include_first:
            yield page
        while page is not None and page.get("next"):
            page = api.next_page(client=self.client, page=page)
            if page is not None:
                yield page
