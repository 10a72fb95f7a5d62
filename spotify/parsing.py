"""Spotify JSON → library.records (and the few plain values runs need), for every reader.

Imports, routes and insights all meet the same objects (a track with its album and artists,
a playlist, a page of playlist rows, a recently-played page); they are turned into records
here alone, so the catalog is filled the same way whoever read a track, and nothing outside
spotify/ knows Spotify's field names. Pure functions of the JSON: no database, no HTTP.

Reads both generations of names: the February 2026 objects say `items` (playlist) and
`item` (playlist row) where older ones said `tracks` and `track`; Extended-mode answers
carry both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from library.models import LIKED_SONGS_ID, ItemKind, PlaylistKind
from library.records import AlbumRecord, ArtistRecord, ItemRecord, PlaylistRecord, TrackRecord

logger = logging.getLogger(__name__)

# Spotify's most per recently-played request: a page this full may not hold every play since the cursor.
RECENTLY_PLAYED_PAGE = 50


# --- the catalog: tracks, albums, artists -----------------------------------------------------
class CatalogRecords:
    """The artists, albums and tracks of the track objects added, one record per Spotify id
    (the last object read wins), ready for library.services.upsert_catalog."""

    def __init__(self) -> None:
        self.artists: dict[str, ArtistRecord] = {}
        self.albums: dict[str, AlbumRecord] = {}
        self.tracks: dict[str, TrackRecord] = {}

    def add_track(self, obj: dict[str, Any]) -> str:
        """Record a full or simplified track object that has an id; returns that id."""
        album = obj.get("album") or {}
        album_id = album.get("id") or None
        if album_id:
            self.albums[album_id] = AlbumRecord(
                spotify_id=album_id,
                name=text(album.get("name"), 500),
                album_type=text(album.get("album_type"), 20),
                release_date=text(album.get("release_date"), 10),
                release_date_precision=text(album.get("release_date_precision"), 5),
                image_url=image_url(album.get("images")),
                label=album.get("label"),
                popularity=album.get("popularity"),
            )
        artist_ids = []
        for artist in obj.get("artists") or []:
            if artist.get("id"):
                artist_ids.append(artist["id"])
                self.artists[artist["id"]] = ArtistRecord(
                    spotify_id=artist["id"],
                    name=text(artist.get("name"), 500),
                    genres=tuple(artist["genres"]) if isinstance(artist.get("genres"), list) else None,
                    popularity=artist.get("popularity"),
                )
        track = TrackRecord(
            spotify_id=obj["id"],
            name=text(obj.get("name"), 500),
            duration_ms=int(obj.get("duration_ms") or 0),
            explicit=bool(obj.get("explicit")),
            isrc=text((obj.get("external_ids") or {}).get("isrc"), 20),
            album_id=album_id,
            artist_ids=tuple(artist_ids),
            popularity=obj.get("popularity"),
        )
        self.tracks[track.spotify_id] = track
        return track.spotify_id

    def add_artist(self, obj: dict[str, Any]) -> str:
        """Record a full artist object (with genres), over any simplified one met on a track,
        whose genres are unknown rather than empty; returns its id."""
        record = artist_record(obj)
        self.artists[record.spotify_id] = record
        return record.spotify_id


def artist_record(obj: dict[str, Any]) -> ArtistRecord:
    """A full artist object (/me/top/artists, /artists): genres and popularity when sent."""
    genres = obj.get("genres")
    return ArtistRecord(
        spotify_id=obj["id"],
        name=text(obj.get("name"), 500),
        genres=tuple(genres) if isinstance(genres, list) else None,
        popularity=obj.get("popularity"),
    )


def text(value: Any, limit: int) -> str:
    return str(value)[:limit] if value else ""


def image_url(images: Any) -> str:
    # Spotify lists the largest first; a URL too long to store is no use cut short.
    if not images:
        return ""
    url = (images[0] or {}).get("url") or ""
    return url if len(url) <= 500 else ""


# --- playlists and their rows -----------------------------------------------------------------
LIKED_SONGS_NAME = "Liked Songs"


def playlist_record(obj: dict[str, Any], *, list_position: int) -> PlaylistRecord:
    """A playlist from `GET /me/playlists` (simplified object)."""
    owner = obj.get("owner") or {}
    return PlaylistRecord(
        spotify_id=obj["id"],
        kind=PlaylistKind.PLAYLIST,
        name=text(obj.get("name"), 500),
        description=obj.get("description") or "",
        owner_spotify_id=text(owner.get("id"), 128),
        owner_name=text(owner.get("display_name"), 500),
        # None is Spotify's "unknown", kept as such.
        public=obj.get("public"),
        collaborative=bool(obj.get("collaborative")),
        snapshot_id=text(obj.get("snapshot_id"), 200),
        image_url=image_url(obj.get("images")),
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
    return text(f"liked:{total}:{first.get('added_at') or ''}:{track.get('id') or ''}", 200)


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
    `albums`, `tracks`, filled by CatalogRecords).

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
            "added_by": text((row.get("added_by") or {}).get("id"), 128),
        }
        if row.get("is_local") or (obj and obj.get("is_local")):
            name = text((obj or {}).get("name"), 500)
            uri = text((obj or {}).get("uri"), 300)
            return ItemRecord(kind=ItemKind.LOCAL, name=name, local_name=name, uri=uri, **added)
        if not obj or not obj.get("id"):
            # Spotify sends a null track for what it can no longer serve.
            return ItemRecord(kind=ItemKind.UNAVAILABLE, **added)
        if obj.get("type") == "episode":
            return ItemRecord(
                kind=ItemKind.EPISODE,
                name=text(obj.get("name"), 500),
                uri=text(obj.get("uri"), 300),
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

# --- a playlist object with its first page of rows embedded -------------------------------------
def embedded_page(obj: dict) -> dict:
    """The first page of items GET /playlists/{id} embeds ("items", or "tracks" before 2026)."""
    page = obj.get("items") if isinstance(obj.get("items"), dict) else obj.get("tracks")
    return page if isinstance(page, dict) else {}


def embedded_rows(obj: dict) -> list[dict]:
    rows = embedded_page(obj).get("items")
    return rows if isinstance(rows, list) else []


def embedded_total(obj: dict) -> int | None:
    total = embedded_page(obj).get("total")
    return total if isinstance(total, int) else None


def row_uris(rows: list[dict]) -> list[str]:
    """Each row's URI in order: tracks, episodes and local files as Spotify names them, and
    "" for a row Spotify can no longer serve (so positions hold)."""
    uris = []
    for row in rows:
        obj = row.get("item", row.get("track")) or {}
        uris.append(obj.get("uri") or "" if isinstance(obj, dict) else "")
    return uris


# --- recently played ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReceivedPlay:
    track_id: str
    played_at: datetime
    context_type: str
    context_uri: str


@dataclass(frozen=True)
class ReceivedPage:
    """One recently-played answer, parsed: the plays we can store and what bounds them."""

    catalog: CatalogRecords
    plays: list[ReceivedPlay]
    count: int  # items in the answer, local files included
    newest: datetime | None
    oldest: datetime | None

    @property
    def full(self) -> bool:
        return self.count >= RECENTLY_PLAYED_PAGE and self.oldest is not None


def parse_recently_played(answer: dict[str, Any]) -> ReceivedPage:
    """Spotify's cursor page of PlayHistoryObjects → plays and the catalog rows they need.

    Items without a catalog track (local files, anything with no id) count for the page's
    size and bounds, so the cursor moves past them, but are not stored.
    """
    catalog = CatalogRecords()
    plays: list[ReceivedPlay] = []
    times: list[datetime] = []
    items = answer.get("items") or []
    for item in items:
        played_at = _played_at(item.get("played_at"))
        if played_at is None:
            continue
        times.append(played_at)
        track = item.get("track") or {}
        if not track.get("id") or track.get("is_local") or track.get("type", "track") != "track":
            continue
        context = item.get("context") or {}
        plays.append(
            ReceivedPlay(
                track_id=catalog.add_track(track),
                played_at=played_at,
                context_type=text(context.get("type"), 20),
                context_uri=text(context.get("uri"), 200),
            )
        )
    return ReceivedPage(
        catalog=catalog,
        plays=plays,
        count=len(items),
        newest=max(times, default=None),
        oldest=min(times, default=None),
    )


def _played_at(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        logger.warning("Unreadable played_at from Spotify: %r", value)
        return None
    return moment if moment.tzinfo is not None else None
