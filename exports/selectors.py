"""Reads for the exports, always scoped to one listener, in chunks: a library of any size is read a
few hundred rows at a time (the database cursor is iterated, never loaded whole), and each chunk
costs the same few queries: its rows, their credited artists, their analyses.

Each function yields a Chunk: its rows, their tracks' credited artists and their analyses (the
ones the rest of the product counts: analysis.selectors.current_analyses). The artists are read as
plain values, not through prefetch_related: model instances and the prefetch machinery for every
credit were most of an export's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from analysis.models import SongAnalysis
from analysis.selectors import current_analyses
from insights.models import Play, UnmatchedPlay
from library.models import Playlist, PlaylistItem, Track, TrackArtist

# Rows per chunk: big enough that the per-chunk queries are few, small enough to hold in memory.
CHUNK_SIZE = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Credit:
    """A track's credited artist, as the exports show it."""

    spotify_id: str
    name: str
    genres: list[str]


@dataclass(frozen=True)
class Chunk(Generic[T]):
    rows: list[T]
    artists: dict[str, list[Credit]]  # by track id, the main artist first
    analyses: dict[str, SongAnalysis]  # by track id; absent when the track has none


# Only the columns the exports show (exports.columns): every other field would be converted and set
# on tens of thousands of model instances for nothing (datetimes above all).
TRACK_FIELDS = ("spotify_id", "name", "duration_ms", "explicit", "popularity", "isrc", "album_id")
ALBUM_FIELDS = ("spotify_id", "name", "label", "release_date", "release_year")
ITEM_FIELDS = (
    "playlist_id",
    "position",
    "kind",
    "track_id",
    "name",
    "uri",
    "local_name",
    "added_at",
    "added_by",
)
PLAY_FIELDS = ("track_id", "played_at", "source", "ms_played", "skipped", "context_type", "context_uri")


def _track_columns(prefix: str = "") -> list[str]:
    return [*(prefix + name for name in TRACK_FIELDS), *(f"{prefix}album__{name}" for name in ALBUM_FIELDS)]


def _credits(*, track_ids: set[str]) -> dict[str, list[Credit]]:
    """The credited artists of these tracks, in order, in one query."""
    found: dict[str, list[Credit]] = {}
    rows = (
        TrackArtist.objects.filter(track_id__in=track_ids)
        .order_by("track_id", "position")
        .values_list("track_id", "artist_id", "artist__name", "artist__genres")
    )
    for track_id, artist_id, name, genres in rows:
        found.setdefault(track_id, []).append(Credit(spotify_id=artist_id, name=name, genres=genres or []))
    return found


def _chunks(queryset: QuerySet, *, chunk_size: int | None) -> Iterator[list]:
    # iterator() streams from the database: a server-side cursor on PostgreSQL, fetchmany on SQLite.
    chunk_size = chunk_size or CHUNK_SIZE
    rows = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield chunk


def _with_tracks(chunks: Iterable[list[T]], track_id_of: Callable[[T], str | None]) -> Iterator[Chunk[T]]:
    for rows in chunks:
        track_ids = {track_id for track_id in map(track_id_of, rows) if track_id}
        yield Chunk(
            rows=rows, artists=_credits(track_ids=track_ids), analyses=current_analyses(track_ids=track_ids)
        )


def get_playlist(*, user: User, playlist_id: int) -> Playlist | None:
    """One of the user's playlists; None for a missing one and for another user's alike."""
    return Playlist.objects.filter(user=user, pk=playlist_id).first()


def _items(*also: str) -> QuerySet[PlaylistItem]:
    return PlaylistItem.objects.select_related("track__album").only(
        *ITEM_FIELDS, *_track_columns("track__"), *also
    )


def playlist_items(*, playlist: Playlist, chunk_size: int | None = None) -> Iterator[Chunk[PlaylistItem]]:
    """The playlist's items in order, every kind (episodes and local files have no track)."""
    items = _items().filter(playlist=playlist).order_by("position")
    return _with_tracks(_chunks(items, chunk_size=chunk_size), lambda item: item.track_id)


def library_items(*, user: User, chunk_size: int | None = None) -> Iterator[Chunk[PlaylistItem]]:
    """Every item of every playlist of the user (Liked Songs included), playlists in Spotify's
    order, each with its playlist's name and id."""
    items = (
        _items("playlist__name", "playlist__spotify_id")
        .filter(playlist__user=user)
        .select_related("playlist")
        .order_by("playlist__list_position", "playlist_id", "position")
    )
    return _with_tracks(_chunks(items, chunk_size=chunk_size), lambda item: item.track_id)


def plays(*, user: User, chunk_size: int | None = None) -> Iterator[Chunk[Play]]:
    """The user's plays matched to a track, newest first."""
    found = Play.objects.filter(user=user).select_related("track__album").order_by("-played_at", "-id")
    return _with_tracks(_chunks(found, chunk_size=chunk_size), lambda play: play.track_id)


def unmatched_plays(*, user: User, chunk_size: int | None = None) -> Iterator[UnmatchedPlay]:
    """The plays of the privacy export that match no track, newest first (names only)."""
    found = UnmatchedPlay.objects.filter(user=user).order_by("-played_at", "-id")
    return found.iterator(chunk_size=chunk_size or CHUNK_SIZE)


def analysed_tracks(*, user: User, chunk_size: int | None = None) -> Iterator[Chunk[Track]]:
    """The distinct tracks of the user's playlists that have an analysis, by title. Analyses are
    shared, so the listener sees those of their own songs only (as on a song's page)."""
    mine = PlaylistItem.objects.filter(playlist__user=user, track_id=OuterRef("pk"))
    analysed = SongAnalysis.objects.filter(track_id=OuterRef("pk"))
    tracks = (
        Track.objects.filter(Exists(mine), Exists(analysed)).select_related("album").order_by("name", "pk")
    )
    return _with_tracks(_chunks(tracks, chunk_size=chunk_size), lambda track: track.spotify_id)


def export_sizes(*, user: User) -> dict[str, int]:
    """How many rows each export would hold, for the exports page (four counting queries)."""
    mine = PlaylistItem.objects.filter(playlist__user=user, track_id=OuterRef("pk"))
    analysed = SongAnalysis.objects.filter(track_id=OuterRef("pk"))
    return {
        "playlists": Playlist.objects.filter(user=user).count(),
        "items": PlaylistItem.objects.filter(playlist__user=user).count(),
        "plays": Play.objects.filter(user=user).count() + UnmatchedPlay.objects.filter(user=user).count(),
        "analyses": Track.objects.filter(Exists(mine), Exists(analysed)).count(),
    }
