"""The device library as plain values: what a client sends, what the merge works on, what the
server answers. No Django here, so the merge rules (devices.merge) are pure functions
that property-based tests can drive, and the API's validation produces exactly these.

A track reference is a Spotify track id or URI ("spotify:track:<id>"), normalised to the id by
`track_key`; the title and artist travel with it so a client can show it offline. All times
are timezone-aware datetimes (UTC on the wire).

A value that has a model of the same thing is named *Record (FavoriteRecord beside the model
Favorite, PlaylistItemRecord beside library's PlaylistItem), so code holding both, the
services and selectors, needs no aliases and a reader never mistakes a row for a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

REPEAT_MODES = ("off", "one", "all")
HISTORY_LIMIT = 500  # newest entries kept per user
SEARCH_LIMIT = 20  # newest recent searches kept per user
FAVORITES_LIMIT = 5_000  # live (not removed) favorites a library may hold
PLAYLISTS_LIMIT = 200  # live (not deleted) app playlists a library may hold
# Deletion markers kept per collection (the newest): enough for any device that syncs now and
# then; a device silent through more deletions than this could bring an old item back.
MARKER_LIMIT = 1_000
# The parts of a library a client can send on their own (services.update_collection).
COLLECTIONS = ("favorites", "history", "queue", "playlists", "preferences", "recent_searches")
# A device that has not pinged for this long is no longer counted as signed in somewhere.
SESSION_TTL = timedelta(minutes=5)
# Sessions kept per listener; a ping past it evicts the least recently seen (services.ping_session).
SESSIONS_LIMIT = 50


def track_key(reference: str) -> str:
    """ "spotify:track:abc" and "abc" name the same track."""
    prefix = "spotify:track:"
    return reference[len(prefix) :] if reference.startswith(prefix) else reference


@dataclass(frozen=True)
class TrackRef:
    track: str  # normalised Spotify track id (see track_key)
    title: str = ""
    artist: str = ""
    artwork_url: str = ""
    duration_ms: int | None = None


@dataclass(frozen=True)
class FavoriteRecord:
    ref: TrackRef
    added_at: datetime
    removed_at: datetime | None = None  # a deletion marker: newer than added_at → removed

    @property
    def removed(self) -> bool:
        return self.removed_at is not None and self.removed_at >= self.added_at


@dataclass(frozen=True)
class HistoryEntryRecord:
    ref: TrackRef
    played_at: datetime
    completion: float | None = None  # 0..1, how much of the track was heard
    source: str = ""  # "playlist", "album", "search"... as the client says


@dataclass(frozen=True)
class QueueState:
    items: tuple[TrackRef, ...]
    updated_at: datetime
    device: str = ""


@dataclass(frozen=True)
class PlaylistItemRecord:
    ref: TrackRef
    added_at: datetime


@dataclass(frozen=True)
class AppPlaylistRecord:
    """A playlist of the app (not a Spotify playlist). `id` is the server's id (None for one the
    client made offline, known by its `local_id`). Each field carries the time it last changed,
    so two devices editing different fields both keep their edit; `removed_at` marks a deletion."""

    id: int | None
    local_id: str | None
    name: str
    name_updated_at: datetime
    description: str
    description_updated_at: datetime
    is_public: bool
    is_public_updated_at: datetime
    items: tuple[PlaylistItemRecord, ...]
    items_updated_at: datetime
    created_at: datetime
    removed_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        return max(self.name_updated_at, self.description_updated_at, self.is_public_updated_at,
                   self.items_updated_at)  # fmt: skip


@dataclass(frozen=True)
class PreferencesRecord:
    shuffle: bool
    repeat: str  # one of REPEAT_MODES
    volume: float  # 0..1
    updated_at: datetime


@dataclass(frozen=True)
class RecentSearchRecord:
    query: str
    searched_at: datetime


@dataclass(frozen=True)
class DeviceLibrary:
    """One side of a merge: a client's local library, or the server's copy."""

    favorites: tuple[FavoriteRecord, ...] = ()
    history: tuple[HistoryEntryRecord, ...] = ()
    queue: QueueState | None = None
    playlists: tuple[AppPlaylistRecord, ...] = ()
    preferences: PreferencesRecord | None = None
    recent_searches: tuple[RecentSearchRecord, ...] = ()


@dataclass(frozen=True)
class MergeOutcome:
    """The merged library and, for playlists the client made offline, their server ids."""

    library: DeviceLibrary
    playlist_ids: dict[str, int] = field(default_factory=dict)  # client local_id → server id


@dataclass(frozen=True)
class ActiveSession:
    session_id: str
    device: str
    last_seen: datetime
    current: bool  # the session that asked


@dataclass(frozen=True)
class SessionSummary:
    """The user's sessions seen within SESSION_TTL, most recently seen first."""

    active_sessions: tuple[ActiveSession, ...]
    multiple_sessions: bool  # more than one device is signed in right now
