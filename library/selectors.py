"""Reads of the mirror, always for one user. Bounded queries: lists never touch rows one by one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet, Sum

from accounts.models import User
from library.models import Playlist, PlaylistItem, TrackArtist


def list_playlists(*, user: User) -> QuerySet[Playlist]:
    """The user's playlists in Spotify's order (Liked Songs included)."""
    return Playlist.objects.filter(user=user).order_by("list_position", "id")


def get_playlist(*, user: User, playlist_id: int) -> Playlist | None:
    """One of the user's playlists; None for a missing one and for another user's alike."""
    return Playlist.objects.filter(user=user, pk=playlist_id).first()


def list_playlist_items(*, playlist: Playlist) -> QuerySet[PlaylistItem]:
    """The playlist's items in order, with their track, album and credited artists."""
    credits = TrackArtist.objects.select_related("artist").order_by("position")
    return (
        PlaylistItem.objects.filter(playlist=playlist)
        .select_related("track__album")
        .prefetch_related(Prefetch("track__credits", queryset=credits))
        .order_by("position")
    )


@dataclass(frozen=True)
class LibraryTotals:
    playlists: int
    items: int


def get_library_totals(*, user: User) -> LibraryTotals:
    """How many playlists and stored items the user's mirror holds."""
    totals = Playlist.objects.filter(user=user).aggregate(playlists=Count("id"), items=Sum("track_count"))
    return LibraryTotals(playlists=totals["playlists"], items=totals["items"] or 0)
