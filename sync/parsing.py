"""Spotify JSON → library.records for playlists and their rows (track objects: library.parsing).

Reads both generations of names: the February 2026 objects say `items` (playlist) and
`item` (playlist row) where older ones said `tracks` and `track`; Extended-mode answers
carry both.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from library.models import LIKED_SONGS_ID, ItemKind, PlaylistKind
from library.parsing import CatalogRecords
from library.parsing import image_url as _image
from library.parsing import text as _text
from library.records import ItemRecord, PlaylistRecord

logger = logging.getLogger(__name__)

LIKED_SONGS_NAME = "Liked Songs"


def playlist_record(obj: dict[str, Any], *, list_position: int) -> PlaylistRecord:
    """A playlist from `GET /me/playlists` (simplified object)."""
    owner = obj.get("owner") or {}
    return PlaylistRecord(
        spotify_id=obj["id"],
        kind=PlaylistKind.PLAYLIST,
        name=_text(obj.get("name"), 500),
        description=obj.get("description") or "",
        owner_spotify_id=_text(owner.get("id"), 128),
        owner_name=_text(owner.get("display_name"), 500),
        # None is Spotify's "unknown", kept as such.
        public=obj.get("public"),
        collaborative=bool(obj.get("collaborative")),
        snapshot_id=_text(obj.get("snapshot_id"), 200),
        image_url=_image(obj.get("images")),
        items_total=items_total(obj),
        list_position=list_position,
    )


def items_total(playlist: dict[str, Any]) -> int:
    reference = playlist.get("items") if isinstance(playlist.get("items"), dict) else playlist.get("tracks")
    return int((reference or {}).get("total") or 0)


def liked_songs_snapshot(first_page: dict[str, Any]) -> str:
    """A stand-in snapshot_id for Liked Songs, which has none, from its first page alone.

    The list is newest first, so liking a song changes the first row and un-liking one
    changes the total; reading it costs nothing, as that page is fetched anyway.
    """
    total = int(first_page.get("total") or 0)
    rows = first_page.get("items") or []
    if not rows:
        return f"liked:{total}"
    first = rows[0]
    track = first.get("track") or first.get("item") or {}
    return _text(f"liked:{total}:{first.get('added_at') or ''}:{track.get('id') or ''}", 200)


def liked_songs_record(
    *, first_page: dict[str, Any], owner_spotify_id: str, owner_name: str
) -> PlaylistRecord:
    return PlaylistRecord(
        spotify_id=LIKED_SONGS_ID,
        kind=PlaylistKind.LIKED_SONGS,
        name=LIKED_SONGS_NAME,
        owner_spotify_id=owner_spotify_id,
        owner_name=owner_name,
        public=False,
        snapshot_id=liked_songs_snapshot(first_page),
        items_total=int(first_page.get("total") or 0),
        # Spotify's clients show Liked Songs above every playlist.
        list_position=0,
    )


class ItemCollector(CatalogRecords):
    """One playlist's items, page by page, and the catalog rows they need (`artists`,
    `albums`, `tracks`, filled by library.parsing).

    Only the compact records are kept, never the raw pages, so memory follows the number
    of items rather than the size of Spotify's JSON.
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: list[ItemRecord] = []
        self.total: int | None = None  # the paging total of the last page read

    def add_page(self, page: dict[str, Any]) -> None:
        if page.get("total") is not None:
            self.total = int(page["total"])
        for row in page.get("items") or []:
            # Positions count what we kept, so they stay unique even if the playlist
            # shifted between two pages (the next import sees its new snapshot and refetches).
            self.items.append(self._item(row, position=len(self.items)))

    def _item(self, row: dict[str, Any], *, position: int) -> ItemRecord:
        obj = row["item"] if "item" in row else row.get("track")
        added = {
            "position": position,
            "added_at": _time(row.get("added_at")),
            "added_by": _text((row.get("added_by") or {}).get("id"), 128),
        }
        if row.get("is_local") or (obj and obj.get("is_local")):
            name = _text((obj or {}).get("name"), 500)
            uri = _text((obj or {}).get("uri"), 300)
            return ItemRecord(kind=ItemKind.LOCAL, name=name, local_name=name, uri=uri, **added)
        if not obj or not obj.get("id"):
            # Spotify sends a null track for what it can no longer serve.
            return ItemRecord(kind=ItemKind.UNAVAILABLE, **added)
        if obj.get("type") == "episode":
            return ItemRecord(
                kind=ItemKind.EPISODE,
                name=_text(obj.get("name"), 500),
                uri=_text(obj.get("uri"), 300),
                **added,
            )
        return ItemRecord(kind=ItemKind.TRACK, track_id=self.add_track(obj), **added)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        logger.warning("Unreadable added_at from Spotify: %r", value)
        return None
