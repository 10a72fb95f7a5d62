"""Writes of the device library: a client's library merged into the server's copy, one
collection updated, what changed since a time, and the signed-in sessions.

The rules are devices.merge's; this module only loads, locks and writes. Every merge of
one user runs under a lock on the user's row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite
the IMMEDIATE transaction's database lock), so two devices merging at the same moment are
applied one after the other, the second to the first's result: nothing is lost, and no
version columns are needed. Only rows whose values changed are written, in bulk statements.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from accounts.models import User
from devices import merge, selectors
from devices import types as values
from devices.models import (
    AppPlaylist,
    DeviceSession,
    Favorite,
    HistoryEntry,
    Preferences,
    Queue,
    RecentSearch,
)
from devices.types import (
    COLLECTIONS,
    FAVORITES_LIMIT,
    PLAYLISTS_LIMIT,
    DeviceLibrary,
    MergeOutcome,
    SessionSummary,
)

__all__ = [
    "LibraryFull",
    "UnknownCollection",
    "library_changes",
    "load_device_library",
    "merge_device_library",
    "now",
    "ping_session",
    "prune_device_sessions",
    "update_collection",
]

PLAYLIST_FIELDS = (
    "local_id",
    "name",
    "name_updated_at",
    "description",
    "description_updated_at",
    "is_public",
    "is_public_updated_at",
    "items",
    "items_updated_at",
    "created_at",
    "removed_at",
)
REF_FIELDS = ("title", "artist", "artwork_url", "duration_ms")


class UnknownCollection(ValueError):
    """A collection name outside types.COLLECTIONS."""


class LibraryFull(ValueError, DomainError):
    """The merge would leave more live favorites or playlists than a library may hold; nothing
    was stored. `field` names the collection (a 400 with the message there: core.errors)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def load_device_library(*, user: User) -> DeviceLibrary:
    """The server's copy of the user's device library, deletion markers included."""
    return selectors.library_from_rows(selectors.get_library_rows(user=user))


def merge_device_library(*, user: User, incoming: DeviceLibrary) -> MergeOutcome:
    """Merge a client's whole library into the server's; the merged library (with server ids for
    its new playlists) is what the client should keep."""
    return _merge(user=user, incoming=incoming, collections=COLLECTIONS)


def update_collection(*, user: User, collection: str, incoming: DeviceLibrary) -> DeviceLibrary:
    """Merge one collection of `incoming` ("favorites", "history", ...; the others are ignored)
    and return the whole merged library. New playlists come back with their server id next to
    their local_id."""
    if collection not in COLLECTIONS:
        raise UnknownCollection(
            f"Unknown collection {collection!r}: expected one of {', '.join(COLLECTIONS)}."
        )
    return _merge(user=user, incoming=incoming, collections=(collection,)).library


def now() -> datetime:
    """The server's clock: the `since` to pass to library_changes next time (read it first)."""
    return timezone.now()


def library_changes(*, user: User, since: datetime) -> DeviceLibrary:
    """Rows the server wrote after `since`, deletion markers included; merged into a client's
    copy with the same rules, they bring it up to date.

    Take the next `since` with now() *before* calling: the read waits for a merge in
    progress (the user's lock), so a write stamped before that moment is always seen, here or
    by the next call (seeing a change twice is harmless: merges are idempotent).
    """
    with transaction.atomic():
        _lock(user)
        return selectors.library_from_rows(selectors.get_library_rows(user=user, since=since))


def ping_session(*, user: User, session_id: str, device: str) -> SessionSummary:
    """Record that the client session `session_id` is alive, and say who else is."""
    seen_at = timezone.now()
    DeviceSession.objects.bulk_create(
        [DeviceSession(user=user, session_id=session_id, device=device, last_seen=seen_at)],
        update_conflicts=True,  # one statement: two pings of a new session cannot both insert
        unique_fields=["user", "session_id"],
        update_fields=["device", "last_seen"],
    )
    _evict_sessions_past_the_limit(user=user, keep=session_id)
    active = tuple(
        values.ActiveSession(
            session_id=session.session_id,
            device=session.device,
            last_seen=session.last_seen,
            current=session.session_id == session_id,
        )
        for session in selectors.active_sessions(user=user, now=seen_at)
    )
    return SessionSummary(active_sessions=active, multiple_sessions=len(active) > 1)


def _evict_sessions_past_the_limit(*, user: User, keep: str) -> None:
    """At most SESSIONS_LIMIT sessions per listener: the least recently seen beyond it go, never
    the one pinging. Evicted rather than refused: a session is a presence hint with a TTL, not part
    of the library, so a client making up a new id per launch (or a script pinging in a loop) must
    neither grow the table and every ping's answer nor keep the listener's real devices out; a
    live session evicted is back at its next ping. One statement; it deletes nothing until a
    listener has more than the limit."""
    beyond = (
        DeviceSession.objects.filter(user=user)
        .exclude(session_id=keep)
        .order_by("-last_seen", "session_id")
        .values("pk")[values.SESSIONS_LIMIT - 1 :]
    )
    DeviceSession.objects.filter(pk__in=beyond).delete()


def prune_device_sessions() -> int:
    """Forget sessions silent for longer than SESSION_TTL; how many were removed."""
    deleted, _ = DeviceSession.objects.filter(last_seen__lt=timezone.now() - values.SESSION_TTL).delete()
    return deleted


# --- the merge ---------------------------------------------------------------------------------


def _lock(user: User) -> None:
    # Every writer of a user's device library takes this first, so their merges queue up.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def _merge(*, user: User, incoming: DeviceLibrary, collections: tuple[str, ...]) -> MergeOutcome:
    with transaction.atomic():
        _lock(user)
        rows = selectors.get_library_rows(user=user)
        server = selectors.library_from_rows(rows)
        merged = server
        playlist_ids: dict[str, int] = {}
        if "favorites" in collections:
            merged = replace(
                merged, favorites=merge.merge_favorites(server.favorites, incoming.favorites)
            )
            _write_favorites(user, server.favorites, merged.favorites)
        if "history" in collections:
            merged = replace(merged, history=merge.merge_history(server.history, incoming.history))
            _write_history(user, rows.history, merged.history)
        if "queue" in collections:
            merged = replace(merged, queue=merge.merge_queue(server.queue, incoming.queue))
            _write_queue(user, server.queue, merged.queue)
        if "playlists" in collections:
            playlists, playlist_ids = _merge_playlists(
                user, rows.playlists, server.playlists, incoming.playlists
            )
            merged = replace(merged, playlists=playlists)
        _check_limits(merged)  # raising rolls the whole merge back: the library stays as it was
        if "preferences" in collections:
            merged = replace(
                merged, preferences=merge.merge_preferences(server.preferences, incoming.preferences)
            )
            _write_preferences(user, server.preferences, merged.preferences)
        if "recent_searches" in collections:
            searches = merge.merge_searches(server.recent_searches, incoming.recent_searches)
            merged = replace(merged, recent_searches=searches)
            _write_searches(user, rows.searches, searches)
    return MergeOutcome(library=merged, playlist_ids=playlist_ids)


def _check_limits(library: DeviceLibrary) -> None:
    # The same limits as a request's, so the merged library can always be sent back as it is.
    live_favorites = sum(1 for favorite in library.favorites if not favorite.removed)
    if live_favorites > FAVORITES_LIMIT:
        raise LibraryFull(
            "favorites",
            f"The library would hold {live_favorites:,} favorites; the limit is {FAVORITES_LIMIT:,}.",
        )
    live_playlists = sum(1 for playlist in library.playlists if playlist.removed_at is None)
    if live_playlists > PLAYLISTS_LIMIT:
        raise LibraryFull(
            "playlists", f"The library would hold {live_playlists} playlists; the limit is {PLAYLISTS_LIMIT}."
        )


def _write_favorites(
    user: User, stored: tuple[values.FavoriteRecord, ...], merged: tuple[values.FavoriteRecord, ...]
) -> None:
    before = {favorite.ref.track: favorite for favorite in stored}
    changed = [favorite for favorite in merged if before.get(favorite.ref.track) != favorite]
    # Old removal markers the merge dropped (past MARKER_LIMIT) go from the table too.
    dropped = set(before) - {favorite.ref.track for favorite in merged}
    if dropped:
        Favorite.objects.filter(user=user, track__in=dropped).delete()
    Favorite.objects.bulk_create(
        [
            Favorite(user=user, added_at=f.added_at, removed_at=f.removed_at, **selectors.ref_fields(f.ref))
            for f in changed
        ],
        update_conflicts=True,
        unique_fields=["user", "track"],
        update_fields=[*REF_FIELDS, "added_at", "removed_at", "updated_at"],
    )


def _write_history(
    user: User, stored: list[HistoryEntry], merged: tuple[values.HistoryEntryRecord, ...]
) -> None:
    before = {(row.track, row.played_at): row for row in stored}
    changed = [
        entry
        for entry in merged
        if (row := before.get((entry.ref.track, entry.played_at))) is None
        or selectors.history_value(row) != entry
    ]
    HistoryEntry.objects.bulk_create(
        [
            HistoryEntry(
                user=user,
                played_at=e.played_at,
                completion=e.completion,
                source=e.source,
                **selectors.ref_fields(e.ref),
            )
            for e in changed
        ],
        update_conflicts=True,
        unique_fields=["user", "track", "played_at"],
        update_fields=[*REF_FIELDS, "completion", "source", "updated_at"],
    )
    # The merge kept the newest HISTORY_LIMIT: stored plays it left out are past the limit.
    kept = {(entry.ref.track, entry.played_at) for entry in merged}
    HistoryEntry.objects.filter(pk__in=[row.pk for key, row in before.items() if key not in kept]).delete()


def _write_queue(user: User, stored: values.QueueState | None, merged: values.QueueState | None) -> None:
    if merged is None or merged == stored:
        return
    row = Queue(
        user=user,
        items=[selectors.ref_fields(ref) for ref in merged.items],
        device=merged.device,
        changed_at=merged.updated_at,
    )
    _upsert_one_per_user(row, ["items", "device", "changed_at"])


def _write_preferences(
    user: User, stored: values.PreferencesRecord | None, merged: values.PreferencesRecord | None
) -> None:
    if merged is None or merged == stored:
        return
    row = Preferences(
        user=user,
        shuffle=merged.shuffle,
        repeat=merged.repeat,
        volume=merged.volume,
        changed_at=merged.updated_at,
    )
    _upsert_one_per_user(row, ["shuffle", "repeat", "volume", "changed_at"])


def _upsert_one_per_user(row: Queue | Preferences, fields: list[str]) -> None:
    # One statement, where update_or_create would take a savepoint, a locking read and a write.
    type(row).objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["user"], update_fields=[*fields, "updated_at"]
    )


def _merge_playlists(
    user: User,
    rows: list[AppPlaylist],
    stored: tuple[values.AppPlaylistRecord, ...],
    incoming: tuple[values.AppPlaylistRecord, ...],
) -> tuple[tuple[values.AppPlaylistRecord, ...], dict[str, int]]:
    """Merge, write, and give new playlists their ids; returns them and local_id → server id."""
    owned = {row.pk: row for row in rows}
    # An id the server never gave this user (another account's, or one from before the account
    # was made again) must not reach anyone's row: such a playlist is the client's own new one,
    # known from now on by a local id made from that id, so sending it again finds it.
    incoming = tuple(
        p if p.id is None or p.id in owned else replace(p, id=None, local_id=p.local_id or f"id-{p.id}")
        for p in incoming
    )
    merged, _new = merge.merge_playlists(stored, incoming)
    before = {playlist.id: playlist for playlist in stored}
    # Deletion markers the merge dropped (past MARKER_LIMIT) go from the table too.
    dropped = set(before) - {playlist.id for playlist in merged}
    if dropped:
        AppPlaylist.objects.filter(user=user, pk__in=dropped).delete()
    written_at = timezone.now()
    updated = []
    for playlist in merged:
        if playlist.id is not None and before[playlist.id] != playlist:
            row = owned[playlist.id]
            for name, value in _playlist_fields(playlist).items():
                setattr(row, name, value)
            row.updated_at = written_at  # bulk_update does not apply auto_now
            updated.append(row)
    AppPlaylist.objects.bulk_update(updated, [*PLAYLIST_FIELDS, "updated_at"])
    created = AppPlaylist.objects.bulk_create(
        [AppPlaylist(user=user, **_playlist_fields(p)) for p in merged if p.id is None]
    )
    new_ids = iter(row.pk for row in created)
    merged = tuple(p if p.id is not None else replace(p, id=next(new_ids)) for p in merged)
    # Every playlist the client knew only by local_id learns its id: the new ones, and any it
    # sent before without hearing back.
    asked = {p.local_id for p in incoming if p.id is None and p.local_id is not None}
    ids = {p.local_id: p.id for p in merged if p.local_id in asked and p.id is not None}
    return merged, ids


def _playlist_fields(playlist: values.AppPlaylistRecord) -> dict:
    return {
        "local_id": playlist.local_id,
        "name": playlist.name,
        "name_updated_at": playlist.name_updated_at,
        "description": playlist.description,
        "description_updated_at": playlist.description_updated_at,
        "is_public": playlist.is_public,
        "is_public_updated_at": playlist.is_public_updated_at,
        "items": [
            {**selectors.ref_fields(item.ref), "added_at": item.added_at.isoformat()}
            for item in playlist.items
        ],
        "items_updated_at": playlist.items_updated_at,
        "created_at": playlist.created_at,
        "removed_at": playlist.removed_at,
    }


def _write_searches(
    user: User, stored: list[RecentSearch], merged: tuple[values.RecentSearchRecord, ...]
) -> None:
    before = {merge.search_key(row.query): row for row in stored}
    wanted = {merge.search_key(search.query): search for search in merged}
    # Searches the merge left out (past the newest 20) go; the others are updated or added.
    RecentSearch.objects.filter(pk__in=[row.pk for key, row in before.items() if key not in wanted]).delete()
    written_at = timezone.now()
    updated = []
    for key, search in wanted.items():
        row = before.get(key)
        if row is not None and (row.query, row.searched_at) != (search.query, search.searched_at):
            row.query, row.searched_at, row.updated_at = search.query, search.searched_at, written_at
            updated.append(row)
    RecentSearch.objects.bulk_update(updated, ["query", "searched_at", "updated_at"])
    RecentSearch.objects.bulk_create(
        [
            RecentSearch(user=user, query=search.query, query_key=key, searched_at=search.searched_at)
            for key, search in wanted.items()
            if key not in before
        ]
    )
