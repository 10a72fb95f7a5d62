"""Reads for routing, always for one user: bases, children, their route state, runs and backups,
and how much of a base's artist metadata is known.

`get_base`, `get_child`, `get_route_run` and `get_backup` are how the API and the pages load
"one of the caller's own": another user's object is a 404 ("Not found."), exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.http import Http404

from accounts.models import User
from core.runs import ACTIVE_STATUSES
from library.models import ItemKind, PlaylistItem, TrackArtist
from library.selectors import track_names
from routing.metadata import ArtistLookup, MetadataFetcher
from routing.models import BasePlaylist, ChildBackup, ChildPlaylist, MetadataWarmUp, RouteRun


# --- bases and children ---------------------------------------------------------------------------
def list_base_playlists(*, user: User) -> QuerySet[BasePlaylist]:
    """The user's base playlists with their mirrored playlist, in Spotify's order."""
    return (
        BasePlaylist.objects.filter(user=user)
        .select_related("playlist")
        # Disabled bases (no playlist) last on every database.
        .order_by(F("playlist__list_position").asc(nulls_last=True), "id")
    )


def get_base_playlist(*, user: User, base_id: int) -> BasePlaylist | None:
    """One of the user's bases; None for a missing one and for another user's alike."""
    return BasePlaylist.objects.filter(user=user, pk=base_id).select_related("playlist").first()


def list_child_playlists(*, base: BasePlaylist) -> QuerySet[ChildPlaylist]:
    """A base's children in routing order (the first matching child wins with first_match_only)."""
    return ChildPlaylist.objects.filter(base=base).order_by("position")


def base_item_kinds(*, base: BasePlaylist) -> dict[str, int]:
    """How many of the base's mirrored items are of each kind (ItemKind values; absent kinds 0).
    Only tracks can be routed: the pages say what the other items are."""
    kinds = {kind: 0 for kind in ItemKind.values}
    if base.playlist_id is None:
        return kinds
    for kind, number in (
        PlaylistItem.objects.filter(playlist_id=base.playlist_id).order_by().values_list("kind").annotate(n=Count("pk"))
    ):
        kinds[kind] = number
    return kinds


def active_routing_run(*, base_id: int) -> RouteRun | None:
    """The route or restore of this base that is queued, running or waiting for confirmation
    (at most one: the database's rule)."""
    return RouteRun.objects.filter(base_id=base_id, status__in=ACTIVE_STATUSES).first()


def active_playlist_run(*, base_id: int) -> RouteRun | None:
    """The duplicate removal (or its undo) under way on this base's playlist or one of its
    children: a route or restore of the base must not write to, or read, a playlist it is changing."""
    base = BasePlaylist.objects.filter(pk=base_id).values("user_id", "spotify_id").first()
    if base is None:
        return None
    children = ChildPlaylist.objects.filter(base_id=base_id).values_list("spotify_id", flat=True)
    return (
        RouteRun.objects.filter(
            user_id=base["user_id"], target_spotify_id__in=[base["spotify_id"], *children], status__in=ACTIVE_STATUSES
        )
        .exclude(target_spotify_id="")
        .first()
    )


def get_child_playlist(*, user: User, child_id: int) -> ChildPlaylist | None:
    """One of the user's children; None for a missing one and for another user's alike."""
    return ChildPlaylist.objects.filter(base__user=user, pk=child_id).select_related("base").first()


# A base's route state in one query for any number of bases: its active route (at most one,
# the database's rule) and its newest finished one, chosen by a subquery per event's base.
_NEWEST_FINISHED = (
    RouteRun.objects.filter(base=OuterRef("base"))
    .exclude(status__in=ACTIVE_STATUSES)
    .order_by("-created_at", "-id")
    .values("pk")[:1]
)
_ROUTE_STATE = Prefetch(
    "runs",
    queryset=RouteRun.objects.filter(
        Q(status__in=ACTIVE_STATUSES) | Q(pk=Subquery(_NEWEST_FINISHED))
    ),
    to_attr="route_state",
)
_WITH_STATE = (Prefetch("children", queryset=ChildPlaylist.objects.order_by("position")), _ROUTE_STATE)


def list_base_playlists_with_state(*, user: User) -> QuerySet[BasePlaylist]:
    """The user's bases with `children` and `route_state` (active and last finished route) prefetched."""
    return list_base_playlists(user=user).prefetch_related(*_WITH_STATE)


def load_route_state(*, base: BasePlaylist) -> BasePlaylist:
    """Prefetch `children` and `route_state` onto one base (the same shape as the list)."""
    prefetch_related_objects([base], *_WITH_STATE)
    return base


def route_state(*, base: BasePlaylist) -> tuple[RouteRun | None, RouteRun | None]:
    """(active route, newest finished route) of a base whose state was loaded."""
    events = getattr(base, "route_state", None)
    if events is None:
        events = load_route_state(base=base).route_state
    active = next((event for event in events if event.is_active), None)
    last = next((event for event in events if not event.is_active), None)
    return active, last


# --- backups -----------------------------------------------------------------------------------
def list_backups(*, user: User, run: RouteRun) -> QuerySet[ChildBackup]:
    """The backups a run of the user's took, in the order it wrote to the children."""
    return ChildBackup.objects.filter(user=user, run=run).order_by("id")


# --- one of the caller's own, or 404 ------------------------------------------------------------
def get_base(*, user: User, pk: int) -> BasePlaylist:
    base = get_base_playlist(user=user, base_id=pk)
    if base is None:
        raise Http404
    return base


def get_child(*, user: User, pk: int) -> ChildPlaylist:
    child = get_child_playlist(user=user, child_id=pk)
    if child is None:
        raise Http404
    return child


def get_route_run(*, user: User, pk: int, base: BasePlaylist | None = None) -> RouteRun:
    """One of the user's routes or restores (of `base`, when given)."""
    runs = RouteRun.objects.filter(user=user, pk=pk)
    if base is not None:
        runs = runs.filter(base=base)
    run = runs.first()
    if run is None:
        raise Http404
    return run


def get_backup(*, user: User, pk: int) -> ChildBackup:
    backup = ChildBackup.objects.filter(user=user, pk=pk).first()
    if backup is None:
        raise Http404
    return backup


def list_route_runs(*, user: User, base: BasePlaylist, status: str | None = None) -> QuerySet[RouteRun]:
    """A base's route and restore runs, newest first, optionally of one status."""
    runs = RouteRun.objects.filter(user=user, base=base)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-created_at", "-id")


def pending_removals(run: RouteRun) -> dict:
    """A route waiting for confirmation: per child, what it would remove, with the tracks' names
    (one catalog query for all of them)."""
    confirmation = dict((run.details or {}).get("confirmation") or {})
    children = [dict(child) for child in confirmation.get("children") or []]
    names = track_names(uris=[uri for child in children for uri in child.get("removals") or []])
    for child in children:
        rows = []
        for uri in child.get("removals") or []:
            name, artists = names.get(uri, ("", ""))
            rows.append({"uri": uri, "name": name, "artists": artists})
        child["removals"] = rows
    return {"children": children, "asked_at": confirmation.get("asked_at")}


# --- artist metadata ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ArtistCoverage:
    """How much of a base's artists' metadata is known: what a genre filter's counts can use."""

    total: int  # artists credited on the base's tracks
    pending: int  # never looked up: their genres count as none until a warm-up or a route asks
    unknown: int  # Spotify does not know them (404): no genres, ever
    warm_up: MetadataWarmUp | None  # the base's last (or current) warm-up; None: never asked


def base_artist_ids(*, base: BasePlaylist) -> list[str]:
    """The artists credited on the base's tracks, each once."""
    return list(
        TrackArtist.objects.filter(
            track__items__playlist_id=base.playlist_id, track__items__kind=ItemKind.TRACK
        )
        .values_list("artist_id", flat=True)
        .distinct()
    )


def artist_coverage(
    *, base: BasePlaylist, known: ArtistLookup | None = None, warm_up: MetadataWarmUp | None = None
) -> ArtistCoverage:
    """What the mirror and the cache know of the base's artists, whatever its age, and the base's
    warm-up; `known` and `warm_up` as the caller already has them. Asks Spotify nothing."""
    if known is None:
        fetcher = MetadataFetcher(client=None, mode=settings.SPOTIFY_APP_MODE)
        known = fetcher.known(artist_ids=base_artist_ids(base=base))
    return ArtistCoverage(
        total=len(known.found) + len(known.pending),
        pending=len(known.pending),
        unknown=known.unknown,
        warm_up=warm_up or MetadataWarmUp.objects.filter(base=base).first(),
    )


# --- duplicate removals (a playlist's own runs: no base) -------------------------------------------
def playlist_runs(*, user: User) -> QuerySet[RouteRun]:
    """The user's duplicate removals and their undos, newest first, each knowing whether it took a
    backup (`has_backup`: it wrote, so it can be undone)."""
    return (
        RouteRun.objects.filter(user=user)
        .exclude(target_spotify_id="")
        .annotate(has_backup=Exists(ChildBackup.objects.filter(run=OuterRef("pk"))))
        .order_by("-created_at", "-id")
    )


def latest_playlist_runs(*, user: User, limit: int = 200) -> dict[str, RouteRun]:
    """The newest duplicate removal or undo of each playlist, by its Spotify id (bounded: the
    newest `limit` runs, more than any page shows)."""
    latest: dict[str, RouteRun] = {}
    for run in playlist_runs(user=user)[:limit]:
        latest.setdefault(run.target_spotify_id, run)
    return latest


def get_playlist_run(*, user: User, pk: int) -> RouteRun:
    """One of the user's duplicate removals or undos; another user's, or a route, is a 404."""
    run = playlist_runs(user=user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run
