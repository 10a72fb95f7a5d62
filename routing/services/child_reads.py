"""What a child playlist holds on Spotify now, read in full before anything is written to it.

One GET of the playlist gives its snapshot_id and first page: a cached list for that
snapshot (our own last write), or a child that fits in the first page, costs nothing more.
The rows are kept as Spotify lists them (local files as their spotify:local: URIs, "" for a
row without one): they are what a backup stores and a restore brings back. A read that
does not add up to Spotify's total fails, because a backup missing rows could not undo.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing.metadata import PlaylistItemsCache
from spotify import api
from spotify.errors import SpotifyRefused
from spotify.parsing import embedded_rows, embedded_total, row_uris
from spotify.reader import ItemsRefused, PlaylistGone, SpotifyReader
from spotify.runs import RunStepFailed

__all__ = ["ChildContents", "ChildReader"]


@dataclass(frozen=True)
class ChildContents:
    snapshot_id: str
    uris: list[str]

    @property
    def tracks(self) -> int:
        return sum(1 for uri in self.uris if uri.startswith("spotify:track:"))


class ChildReader:
    def __init__(self, *, reader: SpotifyReader, cache: PlaylistItemsCache) -> None:
        self.reader = reader
        self.cache = cache

    def read(self, *, spotify_id: str, name: str) -> ChildContents:
        """Raises RunStepFailed when the child is gone, not the listener's, or not read in full."""
        try:
            obj = api.playlist(client=self.reader.client, playlist_id=spotify_id)
        except SpotifyRefused as exc:
            if exc.status == 404:
                raise _gone(name) from exc
            raise
        snapshot = obj.get("snapshot_id") or ""
        cached = self.cache.get(playlist_id=spotify_id, snapshot_id=snapshot) if snapshot else None
        if cached is not None:
            return ChildContents(snapshot_id=snapshot, uris=cached)
        if not obj.get("items") and not obj.get("tracks"):
            raise _not_yours(name)
        rows = embedded_rows(obj)
        uris = row_uris(rows)
        total = embedded_total(obj)
        try:
            if total is None or total > len(rows):
                for page in self.reader.playlist_item_pages(spotify_id, offset=len(rows)):
                    uris.extend(row_uris(page.get("items") or []))
                    total = page.get("total") if isinstance(page.get("total"), int) else total
        except ItemsRefused as exc:
            raise _not_yours(name) from exc
        except PlaylistGone as exc:
            raise _gone(name) from exc
        if total is not None and len(uris) != total:
            raise RunStepFailed(
                f"Spotify served {len(uris)} of the {total} items of the child playlist “{name}” "
                "(it changed while it was read). Nothing was written to it; route again in a moment."
            )
        if snapshot:
            self.cache.set(playlist_id=spotify_id, snapshot_id=snapshot, uris=uris)
        return ChildContents(snapshot_id=snapshot, uris=uris)

    def remember(self, *, spotify_id: str, snapshot_id: str, uris: list[str]) -> None:
        """After our own writes: the next run (within the TTL) finds the child as we left it."""
        self.cache.set(playlist_id=spotify_id, snapshot_id=snapshot_id, uris=uris)


class ChildUnusable(RunStepFailed):
    """The child is gone from Spotify or not the listener's: only the listener can fix that (remove
    it from the base), so the preview answers it as a conflict (409), not as Spotify's failure."""


def _gone(name: str) -> RunStepFailed:
    return ChildUnusable(
        f"The child playlist “{name}” no longer exists on Spotify (404). Remove it from the base."
    )


def _not_yours(name: str) -> RunStepFailed:
    return ChildUnusable(
        f"Spotify refused to read the child playlist “{name}” (403): a child must be a playlist you own."
    )
