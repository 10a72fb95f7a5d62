"""Reads of the mirror, always for one user. Bounded queries: lists never touch rows one by one."""

from __future__ import annotations

from datetime import datetime

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max, OrderBy, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Lower

from accounts.models import User
from library.models import ItemKind, Playlist, PlaylistItem, PlaylistKind, Track, TrackArtist

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


# The Library page's orders, by the `sort` it accepts; anything else means Spotify's order.
# Biggest and newest first; a playlist without dated items goes last, not first.
PLAYLIST_SORTS: dict[str, tuple[OrderBy, ...]] = {
    "spotify": (),
    "name": (Lower("name").asc(),),
    "items": (F("items_total").desc(),),
    "added": (F("last_added").desc(nulls_last=True),),
}
DEFAULT_PLAYLIST_SORT = "spotify"
# A search longer than any playlist name finds nothing anyway; cut it before it reaches the query.
SEARCH_MAX_LENGTH = 200


def playlist_sort(value: str | None) -> str:
    """`value` if the Library page knows that order, else Spotify's: a bad link is no error."""
    return value if value in PLAYLIST_SORTS else DEFAULT_PLAYLIST_SORT


def browse_playlists(*, user: User, query: str = "", sort: str = DEFAULT_PLAYLIST_SORT) -> QuerySet[Playlist]:
    """The user's playlists whose name contains `query` (any case), in the order `sort` names
    (PLAYLIST_SORTS), each with `last_added`: when its newest item was added on Spotify (None for
    a playlist without dated items). Spotify's order breaks ties, so every order is stable."""
    playlists = Playlist.objects.filter(user=user).annotate(last_added=Max("items__added_at"))
    query = query.strip()[:SEARCH_MAX_LENGTH]
    if query:
        playlists = playlists.filter(name__icontains=query)
    return playlists.order_by(*PLAYLIST_SORTS[playlist_sort(sort)], "list_position", "id")


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
    """Every figure counts the mirror's rows, so pages agree with each other. Spotify's own
    count differs in words the pages say: Liked Songs is no playlist on Spotify, and a playlist
    Spotify stopped listing stays here until a second import misses it (Playlist.missing_since)."""

    playlists: int
    items: int
    # When a playlist's items were last stored: how fresh these figures are (None: never imported).
    imported_at: datetime | None = None
    liked_songs: int = 0  # 1 once imported: counted among `playlists`
    not_seen: int = 0  # among `playlists`, those the last complete listing did not have

    @property
    def listed(self) -> int:
        """The playlists Spotify lists for the listener, as of the last import."""
        return self.playlists - self.liked_songs - self.not_seen


def get_library_totals(*, user: User) -> LibraryTotals:
    """How many playlists and stored items the user's mirror holds, and when it was last filled:
    one query, no Spotify request (the dashboard shows this on every load)."""
    totals = Playlist.objects.filter(user=user).aggregate(
        playlists=Count("id"),
        items=Sum("track_count"),
        imported_at=Max("items_imported_at"),
        liked_songs=Count("id", filter=Q(kind=PlaylistKind.LIKED_SONGS)),
        not_seen=Count("id", filter=Q(missing_since__isnull=False)),
    )
    return LibraryTotals(
        playlists=totals["playlists"],
        items=totals["items"] or 0,
        imported_at=totals["imported_at"],
        liked_songs=totals["liked_songs"],
        not_seen=totals["not_seen"],
    )


@dataclass(frozen=True)
class ItemCounts:
    """A playlist's stored items by kind. Only tracks are songs: they alone have a catalog row,
    an analysis, a place in a route."""

    items: int
    songs: int
    different_songs: int  # a song listed twice counts once here
    local_files: int
    episodes: int
    unavailable: int

    @property
    def only_songs(self) -> bool:
        return self.items == self.songs


def count_playlist_items(*, playlist: Playlist) -> ItemCounts:
    """How many items of each kind the playlist holds, in one query."""
    found = PlaylistItem.objects.filter(playlist=playlist).aggregate(
        items=Count("id"),
        songs=Count("id", filter=Q(kind=ItemKind.TRACK)),
        different_songs=Count("track_id", distinct=True),
        local_files=Count("id", filter=Q(kind=ItemKind.LOCAL)),
        episodes=Count("id", filter=Q(kind=ItemKind.EPISODE)),
        unavailable=Count("id", filter=Q(kind=ItemKind.UNAVAILABLE)),
    )
    return ItemCounts(**found)


# --- duplicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One row of a playlist holding a track: its position is Spotify's (local files count)."""

    position: int
    track_id: str
    name: str
    artists: str
    album: str
    isrc: str

    @property
    def uri(self) -> str:
        return f"{TRACK_URI}{self.track_id}"


@dataclass(frozen=True)
class DuplicateGroup:
    """Rows of one playlist holding the same recording: the same track id, or the same ISRC on
    another release. The first row is the one "Remove duplicates" keeps."""

    kept: Occurrence
    extra: tuple[Occurrence, ...]

    @property
    def same_recording(self) -> bool:
        """Not all the same track: the same recording released more than once (by ISRC)."""
        return any(row.track_id != self.kept.track_id for row in self.extra)


@dataclass(frozen=True)
class SharedTrack:
    """A recording this playlist holds that other playlists of the listener hold too."""

    occurrence: Occurrence
    elsewhere: tuple[str, ...]  # the other playlists' names, in the listener's order


@dataclass(frozen=True)
class PlaylistDuplicates:
    playlist: Playlist
    groups: tuple[DuplicateGroup, ...]
    shared: tuple[SharedTrack, ...]
    # Why "Remove duplicates" is not offered ("" when it is: a playlist the listener owns).
    read_only_reason: str

    @property
    def removable(self) -> list[Occurrence]:
        """Every row that goes when the listener removes this playlist's duplicates."""
        return sorted((row for group in self.groups for row in group.extra), key=lambda row: row.position)


def recording_key(*, track_id: str, isrc: str) -> str:
    """Tracks with one ISRC are one recording; a track without one is only itself."""
    return f"isrc:{isrc.upper()}" if isrc else f"id:{track_id}"


def list_duplicates(
    *, user: User, spotify_user_id: str, playlist: Playlist | None = None, including: Collection[str] = ()
) -> list[PlaylistDuplicates]:
    """The user's playlists (or just `playlist`) that hold a recording twice or share one with
    another playlist, in Spotify's order, as the mirror last saw them.

    `spotify_user_id` is the listener's own Spotify id ("" when not connected): only playlists
    it owns can be tidied. `including`: Spotify ids of playlists listed even with nothing to
    show (one the listener just tidied, so its removal and undo stay in view). Three queries
    whatever the library's size: playlists, track rows
    (with their track and album), credits.
    """
    playlists = [p for p in list_playlists(user=user) if p.items_available]
    items = PlaylistItem.objects.filter(playlist__in=playlists, kind=ItemKind.TRACK)
    rows = (
        items.order_by("playlist_id", "position")
        .values_list("playlist_id", "position", "track_id", "track__name", "track__isrc", "track__album__name")
    )
    by_playlist: dict[int, list[Occurrence]] = {p.pk: [] for p in playlists}
    for playlist_id, position, track_id, name, isrc, album in rows:
        by_playlist[playlist_id].append(Occurrence(position, track_id, name, "", album or "", isrc))
    artists = _artist_names(items.values("track_id"))
    holders: dict[str, list[int]] = {}  # recording → playlists holding it, in the listener's order
    for p in playlists:
        for key in dict.fromkeys(recording_key(track_id=o.track_id, isrc=o.isrc) for o in by_playlist[p.pk]):
            holders.setdefault(key, []).append(p.pk)
    names = {p.pk: p.name for p in playlists}
    found = []
    for p in playlists:
        if playlist is not None and p.pk != playlist.pk:
            continue
        occurrences = [
            Occurrence(o.position, o.track_id, o.name, artists.get(o.track_id, ""), o.album, o.isrc)
            for o in by_playlist[p.pk]
        ]
        groups, shared = _group(occurrences, holders=holders, names=names, own=p.pk)
        if groups or shared or playlist is not None or p.spotify_id in including:
            found.append(
                PlaylistDuplicates(
                    playlist=p,
                    groups=groups,
                    shared=shared,
                    read_only_reason=_read_only_reason(p, spotify_user_id=spotify_user_id),
                )
            )
    return found


def _group(
    occurrences: list[Occurrence], *, holders: dict[str, list[int]], names: dict[int, str], own: int
) -> tuple[tuple[DuplicateGroup, ...], tuple[SharedTrack, ...]]:
    by_key: dict[str, list[Occurrence]] = {}
    for row in occurrences:
        by_key.setdefault(recording_key(track_id=row.track_id, isrc=row.isrc), []).append(row)
    groups = tuple(DuplicateGroup(kept=rows[0], extra=tuple(rows[1:])) for rows in by_key.values() if len(rows) > 1)
    shared = tuple(
        SharedTrack(occurrence=rows[0], elsewhere=tuple(names[pk] for pk in holders[key] if pk != own))
        for key, rows in by_key.items()
        if len(holders[key]) > 1
    )
    return groups, shared


def _artist_names(track_ids: QuerySet) -> dict[str, str]:
    """Credits of the tracks `track_ids` (a subquery: no list of ids that could pass SQLite's limits)."""
    names: dict[str, list[str]] = {}
    credits = TrackArtist.objects.filter(track_id__in=track_ids).order_by("track_id", "position")
    for track_id, artist in credits.values_list("track_id", "artist__name"):
        names.setdefault(track_id, []).append(artist)
    return {track_id: ", ".join(artists) for track_id, artists in names.items()}


def _read_only_reason(playlist: Playlist, *, spotify_user_id: str) -> str:
    if playlist.kind == PlaylistKind.LIKED_SONGS:
        return "Liked Songs are changed in Spotify itself: this app does not remove saved tracks."
    if not spotify_user_id:
        return "Connect your Spotify account to remove duplicates."
    if playlist.owner_spotify_id != spotify_user_id:
        owner = playlist.owner_name or playlist.owner_spotify_id or "someone else"
        return f"Only {owner}, who owns this playlist, can remove tracks from it."
    return ""
