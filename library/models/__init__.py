"""The library app's models: the mirror of Spotify (catalog, playlists). The device library
that clients merge with is the devices app's."""

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
    "Artist",
    "DatePrecision",
    "ItemKind",
    "ItemsStatus",
    "Playlist",
    "PlaylistItem",
    "PlaylistKind",
    "Track",
    "TrackArtist",
]
