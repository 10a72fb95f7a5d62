"""Plain inputs for library.services: what we know about a catalog row, playlist or item.

Built by spotify.parsing from Spotify's JSON, so the library never sees Spotify's shapes. For the
optional catalog fields, None means "Spotify did not send it" (a simplified object, or a
Development-mode app), which is different from an empty value: see upsert_catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from library.models import ItemKind, PlaylistKind


@dataclass(frozen=True, slots=True)
class ArtistRecord:
    spotify_id: str
    name: str
    genres: tuple[str, ...] | None = None
    popularity: int | None = None


@dataclass(frozen=True, slots=True)
class AlbumRecord:
    spotify_id: str
    name: str
    album_type: str = ""
    release_date: str = ""
    release_date_precision: str = ""
    image_url: str = ""
    label: str | None = None
    popularity: int | None = None


@dataclass(frozen=True, slots=True)
class TrackRecord:
    spotify_id: str
    name: str
    duration_ms: int = 0
    explicit: bool = False
    isrc: str = ""
    album_id: str | None = None
    # Credited artists in Spotify's order; each must also be given as an ArtistRecord.
    artist_ids: tuple[str, ...] = ()
    popularity: int | None = None
    # Read from a relinked copy (Spotify's `linked_from`): the id is the original's, the rest
    # describes the copy (another album, other credits), so it may create the track but never
    # overwrite what the catalog already holds for it.
    relinked: bool = False


@dataclass(frozen=True, slots=True)
class PlaylistRecord:
    spotify_id: str
    name: str
    kind: str = PlaylistKind.PLAYLIST
    description: str = ""
    owner_spotify_id: str = ""
    owner_name: str = ""
    public: bool | None = None
    collaborative: bool = False
    snapshot_id: str = ""
    image_url: str = ""
    items_total: int = 0
    # False when Spotify listed the playlist without any items reference (its items are not
    # shown to this app): items_total is then unknown, not 0. Not stored; imports read it.
    items_listed: bool = True
    list_position: int = 0


@dataclass(frozen=True, slots=True)
class ItemRecord:
    position: int
    kind: str = ItemKind.TRACK
    track_id: str | None = None  # a TrackRecord's spotify_id, for kind "track" only
    name: str = ""  # episodes and local files, which have no catalog row
    uri: str = ""
    local_name: str = ""
    added_at: datetime | None = None
    added_by: str = ""
