"""The rules that merge a device's library with the server's copy: pure functions, no Django.

Every rule is a "join": per item it keeps the newest of each side's times, so merging the same
changes twice, or two devices' changes in either order, gives the same library, and a merge
never needs to know which side was there first. Which side is the server matters only for
playlists: the server's ids (and its pairing of ids with local ids) are the ones kept.

Ties (equal timestamps) never depend on which side a value came from: they are broken by a
fixed order of the values themselves, so every device and the server pick the same one.
- favorites: a removal at the same instant as the addition wins (the track stays removed);
- history, searches: the same play (track, played_at) or search (lower-cased query) on both
  sides is one entry; for history the higher completion is kept, then the greater source;
  for a search the greater spelling ("abc" over "ABC");
- queue, preferences, each playlist field: the greater value by a fixed order of the fields
  (for a playlist's public flag, private wins: nothing becomes public by a tie);
- a playlist deleted on either side stays deleted (its latest deletion time is kept), even
  if another device edited it later: a deletion is the listener's last word on it. A deleted
  playlist keeps no items (nothing plays them; other devices need only the marker).

Removal markers (removed favorites, deleted playlists) are kept per collection up to the newest
MARKER_LIMIT by their removal time; older ones are dropped (see types.MARKER_LIMIT). Both removal
times are the latest either side saw, so a marker merged again never ranks older than before:
one dropped stays dropped, and merging the same library twice changes nothing.

Output orders: favorites by added_at, newest first, then track; history by played_at, newest
first, then track; searches newest first; playlists by created_at, then server id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from devices.types import (
    HISTORY_LIMIT,
    MARKER_LIMIT,
    SEARCH_LIMIT,
    AppPlaylistRecord,
    DeviceLibrary,
    FavoriteRecord,
    HistoryEntryRecord,
    PlaylistItemRecord,
    PreferencesRecord,
    QueueState,
    RecentSearchRecord,
    TrackRef,
    track_key,
)

__all__ = [
    "merge_favorites",
    "merge_history",
    "merge_libraries",
    "merge_playlists",
    "merge_preferences",
    "merge_queue",
    "merge_searches",
    "search_key",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")
_V = TypeVar("_V")


def merge_libraries(server: DeviceLibrary, client: DeviceLibrary) -> DeviceLibrary:
    """Both libraries merged, collection by collection."""
    playlists, _new = merge_playlists(server.playlists, client.playlists)
    return DeviceLibrary(
        favorites=merge_favorites(server.favorites, client.favorites),
        history=merge_history(server.history, client.history),
        queue=merge_queue(server.queue, client.queue),
        playlists=playlists,
        preferences=merge_preferences(server.preferences, client.preferences),
        recent_searches=merge_searches(server.recent_searches, client.recent_searches),
    )


# --- favorites, history, searches: unions ------------------------------------------------------


def merge_favorites(
    server: Iterable[FavoriteRecord], client: Iterable[FavoriteRecord]
) -> tuple[FavoriteRecord, ...]:
    """One favorite per track. Its added_at and removed_at are each the newest either side saw,
    so a removal newer than every addition stays removed everywhere, and an addition newer than
    the removal brings the track back. Removed ones stay in the result as markers."""
    merged = _union(
        (_normal_favorite(favorite) for favorite in (*server, *client)),
        key=lambda favorite: favorite.ref.track,
        join=_join_favorites,
    )
    kept = _newest_markers(
        merged, removed_at=lambda f: f.removed_at if f.removed else None, order=lambda f: f.ref.track
    )
    return tuple(sorted(kept, key=lambda f: (_newest_first(f.added_at), f.ref.track)))


def merge_history(
    server: Iterable[HistoryEntryRecord], client: Iterable[HistoryEntryRecord]
) -> tuple[HistoryEntryRecord, ...]:
    """Every play, once per (track, played_at): repeat plays of a song at other times are other
    entries. Newest first, the newest HISTORY_LIMIT kept."""
    merged = _union(
        (replace(entry, ref=_normal_ref(entry.ref)) for entry in (*server, *client)),
        key=lambda entry: (entry.ref.track, entry.played_at),
        join=lambda a, b: max(a, b, key=_history_rank),
    )
    ordered = sorted(merged, key=lambda e: (_newest_first(e.played_at), e.ref.track))
    return tuple(ordered[:HISTORY_LIMIT])


def search_key(query: str) -> str:
    """Searches differing only in case are one search (the RecentSearch model keeps query_key unique)."""
    return query.casefold()


def merge_searches(
    server: Iterable[RecentSearchRecord], client: Iterable[RecentSearchRecord]
) -> tuple[RecentSearchRecord, ...]:
    """One search per lower-cased query, at its newest time; newest first, SEARCH_LIMIT kept."""
    merged = _union(
        (*server, *client),
        key=lambda search: search_key(search.query),
        join=lambda a, b: max(a, b, key=lambda s: (s.searched_at, s.query)),
    )
    ordered = sorted(merged, key=lambda s: (_newest_first(s.searched_at), search_key(s.query), s.query))
    return tuple(ordered[:SEARCH_LIMIT])


# --- queue and preferences: the newest wins ----------------------------------------------------


def merge_queue(server: QueueState | None, client: QueueState | None) -> QueueState | None:
    """The more recently updated queue, whole: a queue is one decision, not a set of tracks."""
    queues = [replace(q, items=tuple(_normal_ref(ref) for ref in q.items)) for q in (server, client) if q]
    if not queues:
        return None
    return max(queues, key=lambda q: (q.updated_at, q.device, tuple(_ref_rank(ref) for ref in q.items)))


def merge_preferences(
    server: PreferencesRecord | None, client: PreferencesRecord | None
) -> PreferencesRecord | None:
    """The more recently updated preferences, whole (shuffle, repeat and volume are set together)."""
    present = [p for p in (server, client) if p]
    if not present:
        return None
    return max(present, key=lambda p: (p.updated_at, p.shuffle, p.repeat, p.volume))


# --- playlists: per field ----------------------------------------------------------------------


def merge_playlists(
    server: Iterable[AppPlaylistRecord], client: Iterable[AppPlaylistRecord]
) -> tuple[tuple[AppPlaylistRecord, ...], frozenset[str]]:
    """The merged playlists, and the local ids of the client's playlists the server did not have.

    A client playlist is the server's one with the same id, else the one with the same local_id
    (a client that never heard back its new playlist's id sends it again by local_id: it must
    not become a second playlist). One matching neither is new; it keeps id None here, the
    service gives it one. A client playlist must carry an id or a local_id: one with neither
    could never be found again, so every merge would add it anew. Each field keeps its newest
    edit (see the module's tie rules).
    """
    merged: list[AppPlaylistRecord] = []
    by_id: dict[int, int] = {}
    by_local_id: dict[str, int] = {}
    new: set[str] = set()

    def place(playlist: AppPlaylistRecord, index: int) -> None:
        if index == len(merged):
            merged.append(playlist)
        else:
            merged[index] = playlist
        if playlist.id is not None:
            by_id.setdefault(playlist.id, index)
        if playlist.local_id is not None:
            by_local_id.setdefault(playlist.local_id, index)

    def absorb(playlist: AppPlaylistRecord, *, from_client: bool) -> None:
        index = _match(playlist, by_id, by_local_id)
        if index is None:
            if from_client and playlist.local_id is not None:
                new.add(playlist.local_id)
            place(_normal_playlist(playlist), len(merged))
            return
        if by_local_id.get(playlist.local_id, index) != index:
            # Matched by id, but its local_id names another playlist: that pairing stands.
            playlist = replace(playlist, local_id=None)
        place(_join_playlists(merged[index], playlist), index)

    for playlist in server:
        absorb(playlist, from_client=False)
    for playlist in client:
        absorb(playlist, from_client=True)
    kept = _newest_markers(
        [_emptied(playlist) for playlist in merged], removed_at=lambda playlist: playlist.removed_at,
        order=_playlist_order,
    )  # fmt: skip
    kept_local_ids = {playlist.local_id for playlist in kept}
    return tuple(sorted(kept, key=_playlist_order)), frozenset(new & kept_local_ids)


def _match(playlist: AppPlaylistRecord, by_id: dict[int, int], by_local_id: dict[str, int]) -> int | None:
    if playlist.id is not None and playlist.id in by_id:
        return by_id[playlist.id]
    if playlist.local_id is not None:
        return by_local_id.get(playlist.local_id)
    return None


def _join_playlists(kept: AppPlaylistRecord, other: AppPlaylistRecord) -> AppPlaylistRecord:
    """`kept` is the one already merged (the server's, when it has it): its id and local_id stay."""
    other = _normal_playlist(other)
    name, name_at = _newer(kept.name, kept.name_updated_at, other.name, other.name_updated_at)
    description, description_at = _newer(
        kept.description, kept.description_updated_at, other.description, other.description_updated_at
    )
    is_public, is_public_at = _newer(
        kept.is_public, kept.is_public_updated_at, other.is_public, other.is_public_updated_at,
        rank=lambda public: not public,  # equal times: private wins
    )  # fmt: skip
    items, items_at = _newer(
        kept.items, kept.items_updated_at, other.items, other.items_updated_at,
        rank=lambda items: tuple((_ref_rank(item.ref), item.added_at) for item in items),
    )  # fmt: skip
    return AppPlaylistRecord(
        id=kept.id if kept.id is not None else other.id,
        local_id=kept.local_id if kept.local_id is not None else other.local_id,
        name=name,
        name_updated_at=name_at,
        description=description,
        description_updated_at=description_at,
        is_public=is_public,
        is_public_updated_at=is_public_at,
        items=items,
        items_updated_at=items_at,
        created_at=min(kept.created_at, other.created_at),
        removed_at=_latest(kept.removed_at, other.removed_at),
    )


def _newer(
    a: _V, a_at: datetime, b: _V, b_at: datetime, *, rank: Callable[[_V], Any] = lambda value: value
) -> tuple[_V, datetime]:
    """The value edited later, with its time; equal times: the greater by `rank`."""
    return (a, a_at) if (a_at, rank(a)) >= (b_at, rank(b)) else (b, b_at)


def _playlist_order(playlist: AppPlaylistRecord) -> tuple:
    return (playlist.created_at, playlist.id is None, playlist.id or 0, playlist.local_id or "")


# --- shared pieces -----------------------------------------------------------------------------


def _union(items: Iterable[_T], *, key: Callable[[_T], Any], join: Callable[[_T, _T], _T]) -> list[_T]:
    merged: dict[Any, _T] = {}
    for item in items:
        k = key(item)
        merged[k] = join(merged[k], item) if k in merged else item
    return list(merged.values())


def _join_favorites(a: FavoriteRecord, b: FavoriteRecord) -> FavoriteRecord:
    # Title and artwork come from the later addition; equal times: the greater by value.
    ref = max(a, b, key=lambda favorite: (favorite.added_at, _ref_rank(favorite.ref))).ref
    return FavoriteRecord(
        ref=ref, added_at=max(a.added_at, b.added_at), removed_at=_latest(a.removed_at, b.removed_at)
    )


def _history_rank(entry: HistoryEntryRecord) -> tuple:
    completion = -1.0 if entry.completion is None else entry.completion
    return (completion, entry.source, _ref_rank(entry.ref))


def _ref_rank(ref: TrackRef) -> tuple:
    duration = -1 if ref.duration_ms is None else ref.duration_ms
    return (ref.track, ref.title, ref.artist, ref.artwork_url, duration)


def _normal_ref(ref: TrackRef) -> TrackRef:
    """ "spotify:track:x" and "x" must meet in one key, and come out as "x"."""
    key = track_key(ref.track)
    return ref if key == ref.track else replace(ref, track=key)


def _normal_favorite(favorite: FavoriteRecord) -> FavoriteRecord:
    return replace(favorite, ref=_normal_ref(favorite.ref))


def _normal_playlist(playlist: AppPlaylistRecord) -> AppPlaylistRecord:
    items = tuple(
        PlaylistItemRecord(ref=_normal_ref(item.ref), added_at=item.added_at) for item in playlist.items
    )
    return playlist if items == playlist.items else replace(playlist, items=items)


def _newest_first(moment: datetime) -> int:
    """A sort key putting later times first, exact to the microsecond (floats are not)."""
    return -((moment - _EPOCH) // timedelta(microseconds=1))


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _newest_markers(
    items: list[_T], *, removed_at: Callable[[_T], datetime | None], order: Callable[[_T], Any]
) -> list[_T]:
    """`items` without the removal markers past the newest MARKER_LIMIT (by removal time, then
    `order`, a fixed order of the values); live items are all kept. Input order is kept."""
    markers = sorted(
        (index for index, item in enumerate(items) if removed_at(item) is not None),
        key=lambda index: (_newest_first(removed_at(items[index])), order(items[index])),
    )
    dropped = set(markers[MARKER_LIMIT:])
    return [item for index, item in enumerate(items) if index not in dropped]


def _emptied(playlist: AppPlaylistRecord) -> AppPlaylistRecord:
    """A deleted playlist's marker holds no items: up to MARKER_LIMIT of them are kept and sent to
    every device, which need to know only that it is gone."""
    return replace(playlist, items=()) if playlist.removed_at is not None and playlist.items else playlist
