"""Writes to the mirror: the shared catalog, and one user's playlists and their items.

Inputs are plain dataclasses (library.records) that `sync` builds from Spotify's JSON;
nothing here knows Spotify's shapes or calls it. Every write is a bulk statement keyed by
Spotify id, so no id round trips: a playlist costs the same handful of queries whether it
holds 5 items or 5,000 (Django only splits a statement where SQLite's variable limit
makes it, which is a batch per ~100 rows, never a query per row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from library.models import Album, Artist, ItemsStatus, Playlist, PlaylistItem, Track, TrackArtist
from library.records import AlbumRecord, ArtistRecord, ItemRecord, PlaylistRecord, TrackRecord

__all__ = [
    "MissingPlaylists",
    "forget_removed_rows",
    "reconcile_listed_playlists",
    "save_playlist_metadata",
    "store_playlist",
    "upsert_catalog",
]

# What the listing of a user's playlists tells us, cheap to refresh for every playlist.
# Never the snapshot_id: that only moves together with the items it describes.
METADATA_FIELDS = (
    "kind",
    "name",
    "description",
    "owner_spotify_id",
    "owner_name",
    "public",
    "collaborative",
    "image_url",
    "items_total",
    "list_position",
)
ITEMS_FIELDS = ("snapshot_id", "track_count", "items_status", "items_imported_at")

_Model = TypeVar("_Model", bound=models.Model)
_Record = TypeVar("_Record", ArtistRecord, AlbumRecord, TrackRecord)


# --- the catalog ---------------------------------------------------------------------
def upsert_catalog(
    *,
    artists: Iterable[ArtistRecord] = (),
    albums: Iterable[AlbumRecord] = (),
    tracks: Iterable[TrackRecord] = (),
) -> None:
    """Insert or refresh catalog rows by Spotify id, and the tracks' artist credits.

    A field given as None was not sent (simplified objects have no genres; Development-mode
    objects have no popularity or label), so it keeps what a fuller object told us before.
    """
    track_rows = _latest(tracks)
    # A relinked copy's details are the copy's: it may add a track we lack, never rewrite one.
    copies = [t for t in track_rows if t.relinked]
    if copies:
        ids = [t.spotify_id for t in copies]
        known = set(Track.objects.filter(spotify_id__in=ids).values_list("spotify_id", flat=True))
        track_rows = [t for t in track_rows if not (t.relinked and t.spotify_id in known)]
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        _upsert(
            Artist,
            _latest(artists),
            build=lambda a: Artist(
                spotify_id=a.spotify_id,
                name=a.name,
                genres=list(a.genres or ()),
                genres_fetched_at=now if a.genres is not None else None,
                popularity=a.popularity,
            ),
            always=("name",),
            optional={"genres": "genres", "genres_fetched_at": "genres", "popularity": "popularity"},
        )
        _upsert(
            Album,
            _latest(albums),
            build=lambda a: Album(
                spotify_id=a.spotify_id,
                name=a.name,
                album_type=a.album_type,
                release_date=a.release_date,
                release_date_precision=a.release_date_precision,
                release_year=_release_year(a.release_date),
                image_url=a.image_url,
                label=a.label or "",
                popularity=a.popularity,
            ),
            always=(
                "name",
                "album_type",
                "release_date",
                "release_date_precision",
                "release_year",
                "image_url",
            ),
            optional={"label": "label", "popularity": "popularity"},
        )
        _upsert(
            Track,
            track_rows,
            build=lambda t: Track(
                spotify_id=t.spotify_id,
                name=t.name,
                duration_ms=t.duration_ms,
                explicit=t.explicit,
                isrc=t.isrc,
                album_id=t.album_id,
                popularity=t.popularity,
            ),
            always=("name", "duration_ms", "explicit", "isrc", "album"),
            optional={"popularity": "popularity"},
        )
        credits = [
            TrackArtist(track_id=t.spotify_id, artist_id=artist_id, position=position)
            for t in track_rows
            for position, artist_id in enumerate(dict.fromkeys(t.artist_ids))
        ]
        if credits:
            # Credits of a known track do not change in practice; existing ones are left alone.
            TrackArtist.objects.bulk_create(credits, ignore_conflicts=True)


def _latest(records: Iterable[_Record]) -> list[_Record]:
    """One record per Spotify id (the last one wins), sorted by id.

    PostgreSQL refuses an upsert that touches the same row twice, and a stable order makes
    two users' imports lock shared catalog rows in the same order, so they cannot deadlock.
    """
    by_id = {record.spotify_id: record for record in records}
    return [by_id[key] for key in sorted(by_id)]


def _upsert(
    model: type[_Model],
    records: list[_Record],
    *,
    build: Callable[[_Record], _Model],
    always: tuple[str, ...],
    optional: dict[str, str],
) -> None:
    """bulk_create(update_conflicts) per run of consecutive records (in `records`' order, which
    `_latest` sorts by id) that carry the same optional values.

    `optional` maps a model field to the record attribute that feeds it; the field is only
    overwritten on conflict when that attribute is not None.

    Runs, not groups: one statement per group would lock rows group by group, out of id order.
    A listening ingest writes full artists (with genres) and simplified ones (without) in one
    transaction while an import writes simplified ones only, and on PostgreSQL the two
    deadlocked on library_artist. Written in runs, every transaction takes catalog rows in
    id order, so none waits for a row that a transaction waiting on it already holds.
    """
    runs: list[tuple[tuple[str, ...], list[_Model]]] = []
    for record in records:
        present = tuple(
            field for field, attribute in optional.items() if getattr(record, attribute) is not None
        )
        if not runs or runs[-1][0] != present:
            runs.append((present, []))
        runs[-1][1].append(build(record))
    for present, rows in runs:
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["spotify_id"],
            update_fields=[*always, *present, "updated_at"],
        )


def _release_year(release_date: str) -> int | None:
    year = release_date[:4]
    # Spotify sends "0000" for a few old releases: no year rather than year 0.
    return int(year) if year.isdigit() and int(year) > 0 else None


# --- playlists -----------------------------------------------------------------------
def save_playlist_metadata(*, user: User, playlists: Sequence[PlaylistRecord]) -> int:
    """Refresh what the listing says about playlists whose items are not being replaced.

    Items, track_count, items_status and snapshot_id stay as they are. A playlist not yet in
    the mirror is created with an empty snapshot_id, so the next import fetches its items.
    Returns how many rows were written.
    """
    rows = [Playlist(user=user, **_metadata(record)) for record in playlists]
    if rows:
        Playlist.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "spotify_id"],
            update_fields=[*METADATA_FIELDS, "updated_at"],
        )
    return len(rows)


def store_playlist(*, user: User, playlist: PlaylistRecord, items: Sequence[ItemRecord] | None) -> Playlist:
    """Save one playlist's metadata and replace all its items, as one unit.

    `items=None` means Spotify refuses to serve them (Development mode, someone else's
    playlist): the metadata stays, the items go, and the playlist says why.
    Three statements whatever the size: upsert the row, delete its items, insert the new
    ones. Inside one transaction the new snapshot_id becomes visible only together with
    the items it describes, so a crash can never pair an old item list with a new snapshot.
    """
    available = items is not None
    row = Playlist(
        user=user,
        **_metadata(playlist),
        snapshot_id=playlist.snapshot_id,
        track_count=len(items) if available else 0,
        items_status=ItemsStatus.AVAILABLE if available else ItemsStatus.NOT_AVAILABLE,
        items_imported_at=timezone.now(),
    )
    with transaction.atomic(savepoint=False):
        (saved,) = Playlist.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=["user", "spotify_id"],
            update_fields=[*METADATA_FIELDS, *ITEMS_FIELDS, "updated_at"],
        )
        if saved.pk is None:  # a backend that cannot return ids from an upsert
            saved = Playlist.objects.get(user=user, spotify_id=playlist.spotify_id)
        PlaylistItem.objects.filter(playlist_id=saved.pk).delete()
        if items:
            PlaylistItem.objects.bulk_create(
                [
                    PlaylistItem(
                        playlist_id=saved.pk,
                        position=item.position,
                        kind=item.kind,
                        track_id=item.track_id,
                        name=item.name,
                        uri=item.uri,
                        local_name=item.local_name,
                        added_at=item.added_at,
                        added_by=item.added_by,
                    )
                    for item in items
                ]
            )
    return saved


def forget_removed_rows(
    *, user_id: int, spotify_id: str, reviewed_snapshot: str, removed: dict[int, str]
) -> bool:
    """The mirror after rows were removed from the playlist on Spotify (a duplicate removal):
    the rows at `removed`'s positions go and the later ones move up, so the listener no longer
    sees duplicates that are gone. `removed` maps a position to the track id that was there.

    Only while the mirror still holds `reviewed_snapshot` with those tracks at those positions:
    an import that stored a newer version meanwhile stands. The snapshot stays the reviewed one,
    so the next import reads the playlist again (Spotify dates the copies it moved anew). True
    when the mirror changed.
    """
    with transaction.atomic():
        reviewed = Playlist.objects.select_for_update().filter(
            user_id=user_id, spotify_id=spotify_id, snapshot_id=reviewed_snapshot
        )
        playlist = reviewed.first()
        if playlist is None or not removed:
            return False
        items = list(PlaylistItem.objects.filter(playlist=playlist).order_by("position"))
        at = {item.position: item for item in items}
        if any(position not in at or at[position].track_id != track for position, track in removed.items()):
            return False
        kept = [item for item in items if item.position not in removed]
        first = min(removed)
        # Rows before the first removed one keep their place; the rest are written again, moved
        # up (rewritten rather than renumbered: positions are unique at every step).
        PlaylistItem.objects.filter(playlist=playlist, position__gte=first).delete()
        moved = [item for item in kept if item.position > first]
        for position, item in enumerate(moved, start=first):
            item.pk, item.position = None, position
        PlaylistItem.objects.bulk_create(moved)
        Playlist.objects.filter(pk=playlist.pk).update(
            track_count=len(kept), items_total=max(playlist.items_total - len(removed), 0)
        )
    return True


@dataclass(frozen=True)
class MissingPlaylists:
    """What one listing did to the playlists it did not have."""

    marked: list[str]  # Spotify ids now marked "not seen on Spotify" (first complete miss)
    removed: list[str]  # Spotify ids removed from the mirror (second consecutive complete miss)


def reconcile_listed_playlists(
    *, user: User, listed_spotify_ids: Iterable[str], complete: bool
) -> MissingPlaylists:
    """Account for the playlists a listing of the user's library did not have.

    Listed playlists lose any "not seen" mark. When the listing is `complete` (every entry
    counted, none null, no page failed), each absent playlist is marked on its first miss and
    removed (with its items) on its second consecutive one; an incomplete listing changes
    nothing for the absent ones, as it may simply have skipped them. Catalog rows stay
    (shared); routing set-up on a removed playlist keeps its Spotify id and waits for it.
    """
    listed = set(listed_spotify_ids)
    mine = Playlist.objects.filter(user=user)
    # One read in the common case (every playlist listed, none marked): nothing more to do.
    state = dict(
        mine.filter(Q(missing_imports__gt=0) | ~Q(spotify_id__in=listed)).values_list(
            "spotify_id", "missing_imports"
        )
    )
    back = [spotify_id for spotify_id in state if spotify_id in listed]
    if back:
        mine.filter(spotify_id__in=back).update(missing_since=None, missing_imports=0)
    if not complete:
        return MissingPlaylists(marked=[], removed=[])
    removed = sorted(
        spotify_id for spotify_id, misses in state.items() if spotify_id not in listed and misses
    )
    marked = sorted(
        spotify_id for spotify_id, misses in state.items() if spotify_id not in listed and not misses
    )
    if removed:
        mine.filter(spotify_id__in=removed).delete()
    if marked:
        mine.filter(spotify_id__in=marked).update(missing_since=timezone.now(), missing_imports=1)
    return MissingPlaylists(marked=marked, removed=removed)


def _metadata(record: PlaylistRecord) -> dict:
    return {
        "spotify_id": record.spotify_id,
        "kind": record.kind,
        "name": record.name,
        "description": record.description,
        "owner_spotify_id": record.owner_spotify_id,
        "owner_name": record.owner_name,
        "public": record.public,
        "collaborative": record.collaborative,
        "image_url": record.image_url,
        "items_total": record.items_total,
        "list_position": record.list_position,
    }
