"""Reads for sync, always for one user."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects

from accounts.models import User
from library.selectors import track_names
from sync.models import (
    ACTIVE_STATUSES,
    ROUTING_KINDS,
    BasePlaylist,
    ChildBackup,
    ChildPlaylist,
    SyncEvent,
    SyncKind,
    SyncStatus,
)


def list_sync_events(
    *, user: User, kind: str | None = None, status: str | None = None
) -> QuerySet[SyncEvent]:
    """The user's sync events, newest first, optionally of one kind and status."""
    events = SyncEvent.objects.filter(user=user)
    if kind:
        events = events.filter(kind=kind)
    if status:
        events = events.filter(status=status)
    return events.order_by("-created_at", "-id")


def get_sync_event(*, user: User, event_id: int) -> SyncEvent | None:
    """One of the user's events; None for a missing one and for another user's alike."""
    return SyncEvent.objects.filter(user=user, pk=event_id).first()


@dataclass(frozen=True)
class ImportOverview:
    """What the dashboard's import card shows."""

    latest: SyncEvent | None  # the active import if there is one, else the newest
    last_completed: SyncEvent | None

    @property
    def active(self) -> bool:
        return self.latest is not None and self.latest.status in ACTIVE_STATUSES

    @property
    def retryable(self) -> bool:
        return self.latest is not None and self.latest.status in (SyncStatus.FAILED, SyncStatus.CANCELLED)


def get_import_overview(*, user: User) -> ImportOverview:
    imports = SyncEvent.objects.filter(user=user, kind=SyncKind.IMPORT)
    # The active import is the newest one anyway (no import can start while it is
    # active); asking for it first keeps that reasoning out of the page.
    newest_first = imports.order_by("-created_at", "-id")
    latest = imports.filter(status__in=ACTIVE_STATUSES).first() or newest_first.first()
    last_completed = None
    if latest is not None and latest.status != SyncStatus.COMPLETED:
        last_completed = imports.filter(status=SyncStatus.COMPLETED).order_by("-finished_at", "-id").first()
    elif latest is not None:
        last_completed = latest
    return ImportOverview(latest=latest, last_completed=last_completed)


# --- routing set-up ---------------------------------------------------------------------------
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


def active_routing_run(*, base_id: int) -> SyncEvent | None:
    """The route or restore of this base that is queued, running or waiting for confirmation
    (at most one: the database's rule)."""
    return SyncEvent.objects.filter(
        kind__in=ROUTING_KINDS, base_id=base_id, status__in=ACTIVE_STATUSES
    ).first()


def get_child_playlist(*, user: User, child_id: int) -> ChildPlaylist | None:
    """One of the user's children; None for a missing one and for another user's alike."""
    return ChildPlaylist.objects.filter(base__user=user, pk=child_id).select_related("base").first()


# A base's route state in one query for any number of bases: its active route (at most one,
# the database's rule) and its newest finished one, chosen by a subquery per event's base.
_NEWEST_FINISHED = (
    SyncEvent.objects.filter(kind__in=ROUTING_KINDS, base=OuterRef("base"))
    .exclude(status__in=ACTIVE_STATUSES)
    .order_by("-created_at", "-id")
    .values("pk")[:1]
)
_ROUTE_STATE = Prefetch(
    "route_events",
    queryset=SyncEvent.objects.filter(kind__in=ROUTING_KINDS).filter(
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


def route_state(*, base: BasePlaylist) -> tuple[SyncEvent | None, SyncEvent | None]:
    """(active route, newest finished route) of a base whose state was loaded."""
    events = getattr(base, "route_state", None)
    if events is None:
        events = load_route_state(base=base).route_state
    active = next((event for event in events if event.is_active), None)
    last = next((event for event in events if not event.is_active), None)
    return active, last


# --- what a route waits for, and backups -------------------------------------------------------
def pending_removals(event: SyncEvent) -> dict:
    """A route waiting for confirmation: per child, what it would remove, with the tracks' names
    (one catalog query for all of them)."""
    confirmation = dict((event.details or {}).get("confirmation") or {})
    children = [dict(child) for child in confirmation.get("children") or []]
    names = track_names(uris=[uri for child in children for uri in child.get("removals") or []])
    for child in children:
        rows = []
        for uri in child.get("removals") or []:
            name, artists = names.get(uri, ("", ""))
            rows.append({"uri": uri, "name": name, "artists": artists})
        child["removals"] = rows
    return {"children": children, "asked_at": confirmation.get("asked_at")}


def list_backups(*, user: User, run: SyncEvent) -> QuerySet[ChildBackup]:
    """The backups a run of the user's took, in the order it wrote to the children."""
    return ChildBackup.objects.filter(user=user, run=run).order_by("id")


def get_backup(*, user: User, backup_id: int) -> ChildBackup | None:
    """One of the user's backups; None for a missing one and for another user's alike."""
    return ChildBackup.objects.filter(user=user, pk=backup_id).first()
