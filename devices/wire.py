"""DeviceLibrarySerializer's validated data → the devices.types values the services take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devices.types import (
    AppPlaylistRecord,
    DeviceLibrary,
    FavoriteRecord,
    HistoryEntryRecord,
    PlaylistItemRecord,
    PreferencesRecord,
    QueueState,
    RecentSearchRecord,
    TrackRef,
)


def device_library_from_wire(data: Mapping[str, Any]) -> DeviceLibrary:
    """The DeviceLibrary for DeviceLibrarySerializer's validated data."""
    return DeviceLibrary(
        favorites=tuple(
            FavoriteRecord(ref=TrackRef(**f["ref"]), added_at=f["added_at"], removed_at=f["removed_at"])
            for f in data.get("favorites", ())
        ),
        history=tuple(
            HistoryEntryRecord(
                ref=TrackRef(**h["ref"]),
                played_at=h["played_at"],
                completion=h["completion"],
                source=h["source"],
            )
            for h in data.get("history", ())
        ),
        queue=_queue(data["queue"]) if data.get("queue") else None,
        playlists=tuple(_playlist(p) for p in data.get("playlists", ())),
        preferences=PreferencesRecord(**data["preferences"]) if data.get("preferences") else None,
        recent_searches=tuple(RecentSearchRecord(**s) for s in data.get("recent_searches", ())),
    )


def _queue(data: Mapping[str, Any]) -> QueueState:
    items = tuple(TrackRef(**item) for item in data["items"])
    return QueueState(items=items, updated_at=data["updated_at"], device=data["device"])


def _playlist(data: Mapping[str, Any]) -> AppPlaylistRecord:
    items = tuple(PlaylistItemRecord(ref=TrackRef(**i["ref"]), added_at=i["added_at"]) for i in data["items"])
    fields = {key: value for key, value in data.items() if key not in ("items", "updated_at")}
    return AppPlaylistRecord(items=items, **fields)
