"""What the routing pages show, in words: filters, route runs, estimates; and the reads behind them.

Kept apart from the views so the views stay a few lines each and these sentences can be
tested on their own. Every read is scoped to one user (through the base) and bounded:
a page costs the same few queries whatever the number of children or runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.utils import timezone

from accounts.models import User
from library.models import Artist, ItemKind, Playlist, TrackArtist
from routing import selectors
from routing.filters import REGISTRY, FilterValidationError, Group, WidgetType, validate_filters
from routing.models import BasePlaylist, ChildBackup, ChildPlaylist
from routing.services.estimate import RouteEstimate, estimate_route
from sync import selectors as sync_selectors
from sync.display import describe_event
from sync.models import ROUTING_KINDS, SyncEvent, SyncKind
from core.runs import ACTIVE_STATUSES, RunStatus

RUN_HISTORY_LIMIT = 25
# The editor's artist list comes from the base's own tracks; a cap keeps the page small
# for a base of ten thousand tracks (the listener can still paste any artist's link).
EDITOR_ARTIST_LIMIT = 2000


# --- filters in words ----------------------------------------------------------------------------
def describe_filters(document: Any, *, artist_names: Mapping[str, str] | None = None) -> str:
    """One sentence for a stored filter document: "Tracks where genre is any of “rock” and …"."""
    try:
        # mode=None: a stored document was validated when saved; the page only reads it.
        parsed = validate_filters(document, mode=None)
    except FilterValidationError:
        return "These filters no longer validate; open the editor to fix them."
    if parsed.is_empty:
        return "Every track of the base."
    names = artist_names or {}
    parts = []
    for item in parsed.conditions:
        if isinstance(item, Group):
            inner = _joined((_condition_words(c.to_dict(), names) for c in item.conditions), item.match)
            parts.append(f"({inner})")
        else:
            parts.append(_condition_words(item.to_dict(), names))
    return f"Tracks where {_joined(parts, parsed.match)}."


def filter_artist_ids(documents: Iterable[Any]) -> set[str]:
    """The artist ids the artist conditions of these documents name (to look up their names once)."""
    found: set[str] = set()

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and "conditions" in item:
                walk(item["conditions"])
            elif (
                isinstance(item, dict)
                and item.get("field") == "artist"
                and isinstance(item.get("value"), list)
            ):
                found.update(value for value in item["value"] if isinstance(value, str))

    for document in documents:
        walk(document.get("conditions") if isinstance(document, dict) else None)
    return found


def artist_names(ids: Iterable[str]) -> dict[str, str]:
    """Names of catalog artists by Spotify id (the catalog is shared; names are public)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(Artist.objects.filter(spotify_id__in=wanted).values_list("spotify_id", "name"))


def _joined(parts: Iterable[str], match: str) -> str:
    return (" and " if match == "all" else " or ").join(parts)


def _condition_words(condition: dict[str, Any], names: Mapping[str, str]) -> str:
    spec = REGISTRY.get(condition["field"])
    if spec is None:  # a field removed from the registry since the document was saved
        return f"{condition['field']} {condition['op']} {condition['value']}"
    operator = spec.operator(condition["op"])
    label = spec.label[:1].lower() + spec.label[1:]
    op_label = operator.label if operator else condition["op"]
    value, widget = condition["value"], spec.widget
    if widget.type == WidgetType.RANGE and isinstance(value, dict):
        return f"{label} {_range_words(value, unit=widget.unit)}"
    if widget.type == WidgetType.BOOLEAN:
        return f"{label} {op_label} {'yes' if value else 'no'}"
    if isinstance(value, list):
        shown = [names.get(v, v) if widget.source == "artists" else v for v in value]
        return f"{label} {op_label} " + ", ".join(f"“{v}”" for v in shown)
    if widget.type == WidgetType.TEXT:
        return f"{label} {op_label} “{value}”"
    unit = f" {widget.unit}" if widget.unit and widget.unit != "year" else ""
    return f"{label} {op_label} {value}{unit}"


def _range_words(bounds: dict[str, int | None], *, unit: str | None) -> str:
    low, high = (_bound(bounds.get(side), unit=unit) for side in ("min", "max"))
    if low is not None and high is not None:
        return f"is between {low} and {high}"
    return f"is at least {low}" if low is not None else f"is at most {high}"


def _bound(value: int | None, *, unit: str | None) -> str | None:
    if value is None:
        return None
    if unit == "seconds":  # listeners read durations as m:ss
        return f"{value // 60}:{value % 60:02d}"
    if unit and unit != "year":
        return f"{value} {unit}"
    return str(value)


# --- route runs in words -------------------------------------------------------------------------
def when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def describe_route(event: SyncEvent) -> str:
    """One sentence about a route run: as the API says it while active, and as a history row after."""
    if event.status in ACTIVE_STATUSES:
        return describe_event(event)
    writes = (event.details or {}).get("writes") or {}
    added = sum(int(w.get("added") or 0) for w in writes.values())
    removed = sum(int(w.get("removed") or 0) for w in writes.values())
    moved = f"{added} track{'s' if added != 1 else ''} added, {removed} removed"
    # Pages show the status as a badge beside this sentence: it starts with when, not what.
    at = f"{when(event.finished_at)} — " if event.finished_at else ""
    children = f"{event.playlists_done} child{'ren' if event.playlists_done != 1 else ''}"
    if event.status == RunStatus.SUCCEEDED and event.kind == SyncKind.RESTORE:
        skipped = (event.details or {}).get("skipped") or []
        left = f" Left alone (now part of another routing set-up): {', '.join(skipped)}." if skipped else ""
        done = event.playlists_done - len(skipped)
        children = f"{done} child{'ren' if done != 1 else ''}"
        return f"{at}{children} brought back to before run #{event.restore_of_id}, {moved}.{left}"
    if event.status == RunStatus.SUCCEEDED:
        return f"{at}{children} routed, {moved}."
    if event.status == RunStatus.CANCELLED and "discarded" in str((event.details or {}).get("cancelled_by")):
        return f"{at}discarded: you did not confirm its removals, so nothing was written."
    if event.status == RunStatus.FAILED:
        return f"{at}stopped after {event.playlists_done} of {event.playlists_total} children ({moved})."
    return f"{at}cancelled."


def describe_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def describe_estimate(estimate: RouteEstimate) -> str:
    """ "about 12 s — 85 Spotify requests at the measured 0.14 s each" (or a default rate, said so)."""
    requests = f"{estimate.requests} Spotify request{'s' if estimate.requests != 1 else ''}"
    rate = f"{estimate.seconds_per_request:.2f} s each"
    if estimate.measured:
        return f"about {describe_duration(estimate.seconds)} — {requests} at the measured {rate}"
    return (
        f"about {describe_duration(estimate.seconds)} — {requests} at a default {rate} "
        "(no run of yours has been measured yet)"
    )


@dataclass(frozen=True)
class ChildWrites:
    name: str
    added: int
    removed: int
    requests: int


@dataclass(frozen=True)
class RunRow:
    """One route or restore run in the base's history."""

    event: SyncEvent
    summary: str
    duration: str
    cache: str  # hit rates of the run's caches, in words
    writes: list[ChildWrites]
    retryable: bool
    backups: list[ChildBackup]  # one per child it wrote to: what the child held before it
    restorable: bool  # "Restore the children to before this run" is offered


def run_history(*, base: BasePlaylist, children: list[ChildPlaylist]) -> list[RunRow]:
    """The base's route and restore runs, newest first (the last RUN_HISTORY_LIMIT)."""
    events = (
        sync_selectors.list_sync_events(user=base.user)
        .filter(base=base, kind__in=ROUTING_KINDS)
        .annotate(times_retried=Count("retried_by"))
        .prefetch_related(
            # Not the rows themselves: a page of runs must not load every backed-up track list.
            Prefetch(
                "backups",
                queryset=ChildBackup.objects.only("id", "run_id", "name", "spotify_id", "created_at"),
            )
        )
    )[:RUN_HISTORY_LIMIT]
    child_names = {child.spotify_id: child.name for child in children}
    busy = any(event.status in ACTIVE_STATUSES for event in events)
    return [_run_row(event, child_names, base_busy=busy) for event in events]


def _run_row(event: SyncEvent, child_names: Mapping[str, str], *, base_busy: bool) -> RunRow:
    details = event.details or {}
    if "duration_ms" in details:
        duration = describe_duration(details["duration_ms"] / 1000)
    elif event.started_at and event.finished_at:
        duration = describe_duration((event.finished_at - event.started_at).total_seconds())
    else:
        duration = ""
    writes = [
        ChildWrites(
            # A child detached since keeps its Spotify id in the record: show that rather than nothing.
            name=child_names.get(spotify_id, spotify_id),
            added=int(w.get("added") or 0),
            removed=int(w.get("removed") or 0),
            requests=int(w.get("requests") or 0),
        )
        for spotify_id, w in (details.get("writes") or {}).items()
    ]
    return RunRow(
        event=event,
        summary=describe_route(event),
        duration=duration,
        cache=_cache_words(details),
        writes=writes,
        retryable=event.status in (RunStatus.FAILED, RunStatus.CANCELLED) and not event.times_retried,
        backups=list(event.backups.all()),
        restorable=not base_busy and event.status not in ACTIVE_STATUSES and bool(event.backups.all()),
    )


def _cache_words(details: Mapping[str, Any]) -> str:
    """The run's two caches: artists' metadata (after the mirror) and the children's items."""
    parts = []
    artists = details.get("cache") or {}
    if artists.get("hit_rate") is not None:
        parts.append(f"artists {round(artists['hit_rate'] * 100)}%")
    elif artists.get("mirror"):
        # Every artist was fresh in the mirror: the cache was not needed at all.
        parts.append(f"artists: all {artists['mirror']} from the mirror")
    children = details.get("playlist_items_cache") or {}
    if children.get("hit_rate") is not None:
        parts.append(f"children {round(children['hit_rate'] * 100)}%")
    return " · ".join(parts)


# --- the routing overview ------------------------------------------------------------------------
@dataclass
class ChildLine:
    child: ChildPlaylist
    summary: str


@dataclass
class BaseCard:
    base: BasePlaylist
    children: list[ChildLine]
    active: SyncEvent | None
    last: SyncEvent | None
    estimate: str
    active_summary: str = ""
    last_summary: str = ""
    status_url: str = ""  # the API the page's script polls; the view knows it


def base_card(
    *, base: BasePlaylist, children: list[ChildPlaylist], active: SyncEvent | None, last: SyncEvent | None
) -> BaseCard:
    names = artist_names(filter_artist_ids(child.filters for child in children))
    return BaseCard(
        base=base,
        children=[
            ChildLine(child=c, summary=describe_filters(c.filters, artist_names=names)) for c in children
        ],
        active=active,
        last=last,
        estimate=describe_estimate(estimate_route(base=base)),
        active_summary=describe_route(active) if active else "",
        last_summary=describe_route(last) if last else "",
    )


def base_cards(*, user: User) -> list[BaseCard]:
    """Every base of the user with its children, its active route and its newest finished one."""
    finished = SyncEvent.objects.filter(kind__in=ROUTING_KINDS, base=OuterRef("pk")).exclude(
        status__in=ACTIVE_STATUSES
    )
    bases = list(
        selectors.list_base_playlists(user=user)
        .prefetch_related(Prefetch("children", queryset=ChildPlaylist.objects.order_by("position")))
        .annotate(last_route_id=Subquery(finished.order_by("-created_at", "-id").values("pk")[:1]))
    )
    active = {
        event.base_id: event
        for event in SyncEvent.objects.filter(
            kind__in=ROUTING_KINDS, base__in=bases, status__in=ACTIVE_STATUSES
        )
    }
    last = SyncEvent.objects.in_bulk([b.last_route_id for b in bases if b.last_route_id])
    return [
        base_card(
            base=base,
            children=list(base.children.all()),
            active=active.get(base.pk),
            last=last.get(base.last_route_id),
        )
        for base in bases
    ]


@dataclass
class BaseCandidates:
    """The user's playlists as candidates for a new base: the ones that can be, and why not the rest."""

    possible: list[Playlist] = field(default_factory=list)
    impossible: list[tuple[Playlist, str]] = field(default_factory=list)


def base_candidates(*, user: User) -> BaseCandidates:
    bases = set(selectors.list_base_playlists(user=user).values_list("spotify_id", flat=True))
    children = dict(ChildPlaylist.objects.filter(user=user).values_list("spotify_id", "base__name"))
    found = BaseCandidates()
    for playlist in Playlist.objects.filter(user=user).order_by("list_position", "id"):
        if playlist.spotify_id in bases:
            found.impossible.append((playlist, "already a base playlist"))
        elif playlist.spotify_id in children:
            found.impossible.append(
                (playlist, f"a child of “{children[playlist.spotify_id]}” (a child cannot also be a base)")
            )
        elif not playlist.items_available:
            found.impossible.append((playlist, "Spotify does not let this app read its tracks"))
        else:
            found.possible.append(playlist)
    return found


# --- the filter editor's choices -----------------------------------------------------------------
def editor_choices(*, base: BasePlaylist) -> dict[str, list]:
    """Artists and genres found in the base's own tracks, most frequent first, for the editor."""
    credits = (
        TrackArtist.objects.filter(
            track__items__playlist_id=base.playlist_id, track__items__kind=ItemKind.TRACK
        )
        .values("artist_id", "artist__name", "artist__genres")
        .annotate(tracks=Count("track", distinct=True))
        .order_by("-tracks", "artist__name")
    )[:EDITOR_ARTIST_LIMIT]
    artists: list[list[str]] = []
    genre_counts: dict[str, int] = {}
    for row in credits:
        artists.append([row["artist_id"], row["artist__name"]])
        for genre in row["artist__genres"] or []:
            genre_counts[genre] = genre_counts.get(genre, 0) + row["tracks"]
    genres = sorted(genre_counts, key=lambda genre: (-genre_counts[genre], genre))
    return {"artists": artists, "genres": genres}
