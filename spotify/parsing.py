"""Spotify JSON → library.records (and the few plain values runs need), for every reader.

Imports, routes and insights all meet the same objects (a track with its album and artists,
a playlist, a page of playlist rows, a recently-played page); they are turned into records
here alone, so the catalog is filled the same way whoever read a track, and nothing outside
spotify/ knows Spotify's field names. Pure functions of the JSON: no database, no HTTP.

Reads both generations of names: the February 2026 objects say `items` (playlist) and
`item` (playlist row) where older ones said `tracks` and `track`; Extended-mode answers
carry both, and a row may carry either, or both with one of them null.

A track's identity is the one the listener chose: where Spotify relinked it to a copy the
market can play, the object names the original in `linked_from`, and that id is kept, so a
top track, a play and a playlist row of the same song meet on one catalog row.

A `null` inside a list (an artist, an image, a row) is skipped and counted in
`skipped_nulls`, so a run can say what it passed over instead of failing on it.
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


# --- track identity ---------------------------------------------------------------------------
_IDENTITY_FIELDS = ("id", "uri", "href", "external_urls")


def original_track(obj: dict[str, Any]) -> dict[str, Any]:
    """The track object under the identity the listener chose: a relinked track (one carrying
    `linked_from`) takes the original's id, uri, href and links; any other is returned as is.

    Spotify relinks to whichever copy the listener's market can play, and that copy's id
    differs between answers (and may stand for two songs), so only the original joins with
    plays and playlist rows."""
    linked = obj.get("linked_from")
    if not isinstance(linked, dict) or not linked.get("id"):
        return obj
    # `linked_from` stays: it says the rest (album, credits) describes the copy, not the original.
    original = dict(obj)
    for key in _IDENTITY_FIELDS:
        if key in linked:
            original[key] = linked[key]
    return original


def track_objects(page: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A page of track objects (GET /me/top/tracks) with ids, under their original identity."""
    rows = (page or {}).get("items") or []
    return [original_track(obj) for obj in rows if isinstance(obj, dict) and obj.get("id")]


# --- the catalog: tracks, albums, artists -----------------------------------------------------
class CatalogRecords:
    """The artists, albums and tracks of the track objects added, one record per Spotify id
    (the last object read wins), ready for library.services.upsert_catalog; and how many
    nulls inside the lists read were skipped."""

    def __init__(self) -> None:
        self.artists: dict[str, ArtistRecord] = {}
        self.albums: dict[str, AlbumRecord] = {}
        self.tracks: dict[str, TrackRecord] = {}
        self.skipped_nulls = 0

    def present(self, values: Any) -> list[Any]:
        """The entries of a JSON list that are not null (counting those that are)."""
        if not isinstance(values, list):
            return []
        kept = [value for value in values if value is not None]
        self.skipped_nulls += len(values) - len(kept)
        return kept

    def add_track(self, obj: dict[str, Any]) -> str:
        """Record a full or simplified track object that has an id; returns the id it is
        known by (the original one of a relinked track)."""
        relinked = isinstance(obj.get("linked_from"), dict) and bool(obj["linked_from"].get("id"))
        obj = original_track(obj)
        known = self.tracks.get(obj["id"])
        if relinked and known is not None and not known.relinked:
            return known.spotify_id  # the original's own details, read in this batch, stand
        album = obj.get("album") or {}
        album_id = album.get("id") or None
        if album_id:
            # Album artists are not stored, but a null among them is still one skipped.
            self.present(album.get("artists"))
            self.albums[album_id] = AlbumRecord(
                spotify_id=album_id,
                name=text(album.get("name"), 500),
                album_type=text(album.get("album_type"), 20),
                release_date=text(album.get("release_date"), 10),
                release_date_precision=text(album.get("release_date_precision"), 5),
                image_url=image_url(self.present(album.get("images"))),
                label=album.get("label"),
                popularity=album.get("popularity"),
            )
        artist_ids = []
        for artist in self.present(obj.get("artists")):
            if isinstance(artist, dict) and artist.get("id"):
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
            relinked=relinked,
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
    # Spotify lists the largest first (skipping a null entry); a URL too long to store is no
    # use cut short.
    first = next((image for image in images or () if isinstance(image, dict)), None)
    url = (first or {}).get("url") or ""
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
        # Development-mode Spotify lists some followed playlists without any items
        # reference: their items are not shown to this app, which is not "0 items".
        items_listed=_items_reference(obj) is not None,
        list_position=list_position,
    )


def _items_reference(playlist: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("items", "tracks"):
        if isinstance(playlist.get(key), dict):
            return playlist[key]
    return None


def items_total(playlist: dict[str, Any]) -> int:
    return int((_items_reference(playlist) or {}).get("total") or 0)


def liked_songs_snapshot(first_page: dict[str, Any]) -> str:
    """A stand-in snapshot_id for Liked Songs, which has none, from its first page alone.

    The list is newest first, so liking a song changes the first row and un-liking one
    changes the total; reading it costs nothing, as that page is fetched anyway.
    """
    total = int(first_page.get("total") or 0)
    rows = first_page.get("items") or []
    if not rows:
        return f"liked:{total}"
    first = rows[0] or {}
    track = original_track(row_object(first) or {})
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
        rows = page.get("items")
        for row in rows if isinstance(rows, list) else []:
            # Positions count what we kept, so they stay unique even if the playlist
            # shifted between two pages (the next import sees its new snapshot and refetches).
            # A whole null row is a row Spotify cannot serve, kept as such: dropping it would
            # leave fewer rows than the playlist's total, which routing rightly refuses to trust.
            self.items.append(self._item(row or {}, position=len(self.items)))

    def _item(self, row: dict[str, Any], *, position: int) -> ItemRecord:
        obj = row_object(row)
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


def row_object(row: dict[str, Any]) -> dict[str, Any] | None:
    """A playlist row's track or episode: `item`, or `track` before 2026; a row may carry
    both, one of them null, so whichever is present and not null."""
    for key in ("item", "track"):
        if isinstance(row.get(key), dict):
            return row[key]
    return None


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
        obj = original_track(row_object(row) or {}) if isinstance(row, dict) else {}
        uris.append(obj.get("uri") or "")
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
    raw = answer.get("items")
    # A null play still fills the page (the cursor's `full` test counts Spotify's rows).
    received = len(raw) if isinstance(raw, list) else 0
    items = catalog.present(raw)
    for item in items:
        if not isinstance(item, dict):
            continue
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
        count=received,
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
