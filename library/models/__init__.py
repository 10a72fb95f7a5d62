"""The library app's models, by topic: the mirror of Spotify (catalog, playlists) and the
device library that clients merge with."""

from library.models.device import (
    AppPlaylist,
    DeviceSession,
    Favorite,
    HistoryEntry,
    Preferences,
    Queue,
    RecentSearch,
    RepeatMode,
)
from library.models.mirror import (
    LIKED_SONGS_ID,
    Album,
    Artist,
    DatePrecision,
    ItemKind,
    ItemsStatus,
    Playlist,
    PlaylistItem,
    PlaylistKind,
    Track,
    TrackArtist,
)

__all__ = [
    "LIKED_SONGS_ID",
    "Album",
    "AppPlaylist",
    "Artist",
    "DatePrecision",
    "DeviceSession",
    "Favorite",
    "HistoryEntry",
    "ItemKind",
    "ItemsStatus",
    "Playlist",
    "PlaylistItem",
    "PlaylistKind",
    "Preferences",
    "Queue",
    "RecentSearch",
    "RepeatMode",
    "Track",
    "TrackArtist",
]
