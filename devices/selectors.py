"""Reads of the device library, always for one user: the stored rows as the merge's values
(devices.types), the signed-in sessions, and the counts a page shows.

Each read is one query per collection, whatever the library's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from devices import types as values
from devices.merge import merge_libraries
from devices.models import (
    AppPlaylist,
    DeviceSession,
    Favorite,
    HistoryEntry,
    Preferences,
    Queue,
    RecentSearch,
)

__all__ = [
    "DeviceLibraryCounts",
    "LibraryRows",
    "active_sessions",
    "get_device_library_counts",
    "get_library_rows",
    "library_from_rows",
    "library_version",
    "playlist_value",
    "ref_fields",
]


# Every table of the device library (not the sessions), by the collection it holds.
LIBRARY_MODELS = (
    ("favorites", Favorite),
    ("history", HistoryEntry),
    ("queue", Queue),
    ("playlists", AppPlaylist),
    ("preferences", Preferences),
    ("recent_searches", RecentSearch),
)

# --- rows → values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRows:
    """One user's stored device library, as rows (the services need their primary keys)."""

    favorites: list[Favorite]
    history: list[HistoryEntry]
    queue: Queue | None
    playlists: list[AppPlaylist]
    preferences: Preferences | None
    searches: list[RecentSearch]


def get_library_rows(*, user: User, since: datetime | None = None) -> LibraryRows:
    """Every row of the user's device library, or only those the server wrote after `since`."""
    changed = Q() if since is None else Q(updated_at__gt=since)
    mine = Q(user=user) & changed
    return LibraryRows(
        favorites=list(Favorite.objects.filter(mine).order_by("-added_at", "track")),
        history=list(HistoryEntry.objects.filter(mine).order_by("-played_at", "track")),
        queue=Queue.objects.filter(mine).first(),
        playlists=list(AppPlaylist.objects.filter(mine).order_by("created_at", "pk")),
        preferences=Preferences.objects.filter(mine).first(),
        searches=list(RecentSearch.objects.filter(mine).order_by("-searched_at", "query")),
    )


def library_version(*, user: User) -> tuple:
    """What changes whenever the user's device library does, in one query: each collection's row
    count and newest updated_at. Every write of a row sets its updated_at (merges stamp the rows
    they change, bulk updates included), and a row is only deleted by a merge that writes others
    or lowers the count. Plain SQL: composing six ORM querysets into a union costs more than the
    query itself, on every polled read."""
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT %s, COUNT(*), MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)} "
        f"WHERE {quote('user_id')} = %s"
        for _, model in LIBRARY_MODELS
    )
    params = [value for name, _ in LIBRARY_MODELS for value in (name, user.pk)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(sorted(cursor.fetchall()))


def library_from_rows(rows: LibraryRows) -> values.DeviceLibrary:
    """The rows as values, in the merge's order: a stored library and a merge's answer compare
    equal even where a database collation would sort base-62 ids or queries otherwise."""
    stored = values.DeviceLibrary(
        favorites=tuple(favorite_value(row) for row in rows.favorites),
        history=tuple(history_value(row) for row in rows.history),
        queue=queue_value(rows.queue) if rows.queue else None,
        playlists=tuple(playlist_value(row) for row in rows.playlists),
        preferences=preferences_value(rows.preferences) if rows.preferences else None,
        recent_searches=tuple(search_value(row) for row in rows.searches),
    )
    return merge_libraries(values.DeviceLibrary(), stored)  # merged with nothing: only ordered


def ref_fields(ref: values.TrackRef) -> dict:
    """A track reference as model fields, and as the JSON of queue and playlist items."""
    return {
        "track": ref.track,
        "title": ref.title,
        "artist": ref.artist,
        "artwork_url": ref.artwork_url,
        "duration_ms": ref.duration_ms,
    }


def _ref(source: dict) -> values.TrackRef:
    return values.TrackRef(
        track=source["track"],
        title=source.get("title", ""),
        artist=source.get("artist", ""),
        artwork_url=source.get("artwork_url", ""),
        duration_ms=source.get("duration_ms"),
    )


def _row_ref(row: Favorite | HistoryEntry) -> values.TrackRef:
    return values.TrackRef(row.track, row.title, row.artist, row.artwork_url, row.duration_ms)


def favorite_value(row: Favorite) -> values.FavoriteRecord:
    return values.FavoriteRecord(ref=_row_ref(row), added_at=row.added_at, removed_at=row.removed_at)


def history_value(row: HistoryEntry) -> values.HistoryEntryRecord:
    return values.HistoryEntryRecord(
        ref=_row_ref(row), played_at=row.played_at, completion=row.completion, source=row.source
    )


def queue_value(row: Queue) -> values.QueueState:
    items = tuple(_ref(item) for item in row.items)
    return values.QueueState(items=items, updated_at=row.changed_at, device=row.device)


def playlist_value(row: AppPlaylist) -> values.AppPlaylistRecord:
    items = tuple(
        values.PlaylistItemRecord(ref=_ref(item), added_at=datetime.fromisoformat(item["added_at"]))
        for item in row.items
    )
    return values.AppPlaylistRecord(
        id=row.pk,
        local_id=row.local_id,
        name=row.name,
        name_updated_at=row.name_updated_at,
        description=row.description,
        description_updated_at=row.description_updated_at,
        is_public=row.is_public,
        is_public_updated_at=row.is_public_updated_at,
        items=items,
        items_updated_at=row.items_updated_at,
        created_at=row.created_at,
        removed_at=row.removed_at,
    )


def preferences_value(row: Preferences) -> values.PreferencesRecord:
    return values.PreferencesRecord(
        shuffle=row.shuffle, repeat=row.repeat, volume=row.volume, updated_at=row.changed_at
    )


def search_value(row: RecentSearch) -> values.RecentSearchRecord:
    return values.RecentSearchRecord(query=row.query, searched_at=row.searched_at)


# --- sessions and counts -----------------------------------------------------------------------


def active_sessions(*, user: User, now: datetime | None = None) -> QuerySet[DeviceSession]:
    """The user's sessions that pinged within SESSION_TTL, most recently seen first."""
    now = now or timezone.now()
    return DeviceSession.objects.filter(user=user, last_seen__gte=now - values.SESSION_TTL).order_by(
        "-last_seen", "session_id"
    )


@dataclass(frozen=True)
class DeviceLibraryCounts:
    favorites: int  # not removed
    history: int
    queue: int  # tracks in the queue
    playlists: int  # not deleted
    recent_searches: int
    active_sessions: int


def get_device_library_counts(*, user: User) -> DeviceLibraryCounts:
    """What the devices page summarises; a fixed handful of queries."""
    # A favorite is removed when its removal is at least as new as its addition (types.Favorite.removed).
    kept = Q(removed_at__isnull=True) | Q(removed_at__lt=F("added_at"))
    queue_items = Queue.objects.filter(user=user).values_list("items", flat=True).first() or []
    return DeviceLibraryCounts(
        favorites=Favorite.objects.filter(kept, user=user).count(),
        history=HistoryEntry.objects.filter(user=user).count(),
        queue=len(queue_items),
        playlists=AppPlaylist.objects.filter(user=user, removed_at__isnull=True).count(),
        recent_searches=RecentSearch.objects.filter(user=user).count(),
        active_sessions=active_sessions(user=user).count(),
    )
