"""Reads of the mirror, always for one user. Bounded queries: lists never touch rows one by one."""

from __future__ import annotations

from datetime import datetime

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Max, Count, Prefetch, QuerySet, Sum

from accounts.models import User
from library.models import Playlist, PlaylistItem, Track, TrackArtist

TRACK_URI = "spotify:track:"


def track_names(*, uris: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(name, artists) by URI for the catalog's tracks among `uris`, in one query and its prefetch.

    Episodes, local files and tracks the catalog does not hold are left out. The catalog is
    shared and names are public, so no user scope.
    """
    by_id = {uri[len(TRACK_URI) :]: uri for uri in uris if uri.startswith(TRACK_URI)}
    if not by_id:
        return {}
    return {
        by_id[track.spotify_id]: (track.name, ", ".join(artist.name for artist in track.artists.all()))
        for track in Track.objects.filter(spotify_id__in=by_id).prefetch_related("artists")
    }


def list_playlists(*, user: User) -> QuerySet[Playlist]:
    """The user's playlists in Spotify's order (Liked Songs included)."""
    return Playlist.objects.filter(user=user).order_by("list_position", "id")


def playlists_version(*, user: User) -> tuple[int, datetime | None]:
    """What changes whenever the user's list of playlists does, in one small query: how many
    there are and when one was last written (every write of a playlist's fields or items sets
    its updated_at; a removal lowers the count)."""
    found = Playlist.objects.filter(user=user).aggregate(n=Count("id"), latest=Max("updated_at"))
    return found["n"], found["latest"]


def get_playlist(*, user: User, playlist_id: int) -> Playlist | None:
    """One of the user's playlists; None for a missing one and for another user's alike."""
    return Playlist.objects.filter(user=user, pk=playlist_id).first()


def list_playlist_items(*, playlist: Playlist) -> QuerySet[PlaylistItem]:
    """The playlist's items in order, with their track, album and credited artists: only the columns
    the API shows (library.serializers.PlaylistItemSerializer)."""
    return (
        PlaylistItem.objects.filter(playlist=playlist)
        .select_related("track__album")
        .only(*ITEM_FIELDS, *track_columns(prefix="track__"))
        .prefetch_related(Prefetch("track__credits", queryset=ordered_credits()))
        .order_by("position")
    )


# What the API shows of an item, a track and its album (library.serializers), with the keys joining them.
ITEM_FIELDS = (
    "playlist_id", "position", "kind", "track_id", "name", "uri", "local_name", "added_at", "added_by",
)  # fmt: skip
TRACK_FIELDS = ("spotify_id", "name", "duration_ms", "explicit", "isrc", "album_id")
ALBUM_FIELDS = ("spotify_id", "name", "release_date", "release_year", "image_url")


def track_columns(*, prefix: str = "") -> list[str]:
    """For `.only()` on a query that selects tracks with their album (`prefix`: the path to the
    track, e.g. "track__"): the columns TrackSerializer reads."""
    return [*(prefix + name for name in TRACK_FIELDS), *(f"{prefix}album__{name}" for name in ALBUM_FIELDS)]


def ordered_credits() -> QuerySet[TrackArtist]:
    """Credits in order with their artist's id and name, for `Prefetch("…credits", queryset=…)`."""
    return (
        TrackArtist.objects.select_related("artist")
        .only("track_id", "position", "artist__spotify_id", "artist__name")
        .order_by("position")
    )


@dataclass(frozen=True)
class LibraryTotals:
    playlists: int
    items: int
    # When a playlist's items were last stored: how fresh these figures are (None: never imported).
    imported_at: datetime | None = None


def get_library_totals(*, user: User) -> LibraryTotals:
    """How many playlists and stored items the user's mirror holds, and when it was last filled:
    one query, no Spotify request (the dashboard shows this on every load)."""
    totals = Playlist.objects.filter(user=user).aggregate(
        playlists=Count("id"), items=Sum("track_count"), imported_at=Max("items_imported_at")
    )
    return LibraryTotals(
        playlists=totals["playlists"], items=totals["items"] or 0, imported_at=totals["imported_at"]
    )
