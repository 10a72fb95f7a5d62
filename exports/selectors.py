"""Reads for the exports, always scoped to one listener, in chunks: a library of any size is read a
few hundred rows at a time (the database cursor is iterated, never loaded whole), and each chunk
costs the same few queries: its rows, their credited artists, their analyses.

Each function yields (rows, analyses by track id) per chunk; the analyses are the ones the rest
of the product counts (analysis.selectors.current_analyses).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from accounts.models import User
from analysis.models import SongAnalysis
from analysis.selectors import current_analyses
from insights.models import Play, UnmatchedPlay
from library.models import Playlist, PlaylistItem, Track, TrackArtist

# Rows per chunk: big enough that the per-chunk queries are few, small enough to hold in memory.
CHUNK_SIZE = 500

T = TypeVar("T")
Chunk = tuple[list[T], dict[str, SongAnalysis]]


def _credits() -> QuerySet[TrackArtist]:
    """Credits in order with what the export shows of their artist (its genres included)."""
    return (
        TrackArtist.objects.select_related("artist")
        .only("track_id", "position", "artist__spotify_id", "artist__name", "artist__genres")
        .order_by("position")
    )


def _chunks(queryset: QuerySet, *, chunk_size: int | None) -> Iterator[list]:
    # iterator(chunk_size) streams from the database and runs the prefetches once per chunk.
    chunk_size = chunk_size or CHUNK_SIZE
    rows = queryset.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield chunk


def _with_analyses(chunks: Iterable[list[T]], track_id_of) -> Iterator[Chunk[T]]:
    for chunk in chunks:
        yield chunk, current_analyses(track_ids=(track_id_of(row) for row in chunk))


def get_playlist(*, user: User, playlist_id: int) -> Playlist | None:
    """One of the user's playlists; None for a missing one and for another user's alike."""
    return Playlist.objects.filter(user=user, pk=playlist_id).first()


def _items() -> QuerySet[PlaylistItem]:
    return PlaylistItem.objects.select_related("track__album").prefetch_related(
        Prefetch("track__credits", queryset=_credits())
    )


def playlist_items(*, playlist: Playlist, chunk_size: int | None = None) -> Iterator[Chunk[PlaylistItem]]:
    """The playlist's items in order, every kind (episodes and local files have no track)."""
    items = _items().filter(playlist=playlist).order_by("position")
    return _with_analyses(_chunks(items, chunk_size=chunk_size), lambda item: item.track_id)


def library_items(*, user: User, chunk_size: int | None = None) -> Iterator[Chunk[PlaylistItem]]:
    """Every item of every playlist of the user (Liked Songs included), playlists in Spotify's
    order, each with its playlist's name and id."""
    items = (
        _items()
        .filter(playlist__user=user)
        .select_related("playlist")
        .defer("playlist__description")
        .order_by("playlist__list_position", "playlist_id", "position")
    )
    return _with_analyses(_chunks(items, chunk_size=chunk_size), lambda item: item.track_id)


def plays(*, user: User, chunk_size: int | None = None) -> Iterator[Chunk[Play]]:
    """The user's plays matched to a track, newest first."""
    found = (
        Play.objects.filter(user=user)
        .select_related("track__album")
        .prefetch_related(Prefetch("track__credits", queryset=_credits()))
        .order_by("-played_at", "-id")
    )
    return _with_analyses(_chunks(found, chunk_size=chunk_size), lambda play: play.track_id)


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
        Track.objects.filter(Exists(mine), Exists(analysed))
        .select_related("album")
        .prefetch_related(Prefetch("credits", queryset=_credits()))
        .order_by("name", "pk")
    )
    return _with_analyses(_chunks(tracks, chunk_size=chunk_size), lambda track: track.spotify_id)


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
