"""When a route must ask before it writes: the rule, kept pure so it can be tested alone.

A route never turns a child that holds tracks into an empty one, never removes more than
ROUTE_CONFIRM_REMOVAL_PERCENT of a child holding at least ROUTE_CONFIRM_MIN_TRACKS tracks, and
never removes anything from a child on its first route, unless the listener confirmed exactly
those removals (or fewer). A filter edited to
match nothing, a base that lost most of its tracks, a playlist attached by mistake: each
stops the run before its first write, with what would go listed for the listener.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from django.utils.translation import ngettext

from routing.services.child_writes import ChildChange, writable


@dataclass(frozen=True)
class PendingRemoval:
    """A child the run would strip, waiting for the listener's word."""

    child_id: int
    spotify_id: str
    name: str
    tracks_now: int
    tracks_after: int
    removed_rows: int
    removals: list[str]  # the URIs that would go (each removes every copy)
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    percent: int
    min_tracks: int


def review(
    *,
    child_id: int,
    spotify_id: str,
    name: str,
    change: ChildChange,
    thresholds: Thresholds,
    confirmed: Iterable[str] | None,
    first_route: bool = False,
) -> PendingRemoval | None:
    """None when the child may be written as planned; else what needs the listener's confirmation.

    `confirmed` is the set of URIs the listener agreed to lose from this child (None: none).
    `first_route`: never routed before, so whatever it would lose was chosen by the listener
    (the mode it was attached with rested on an import that may be old): any removal asks.
    """
    if not change.removals:
        return None
    if confirmed is not None and set(change.removals) <= set(confirmed):
        return None
    tracks_now = _tracks(change.current)
    tracks_after = _tracks(change.final)
    doomed = set(change.removals)
    removed_rows = sum(1 for uri in change.current if uri in doomed)
    reason = ""
    if tracks_now and not tracks_after:
        every = "its only track" if tracks_now == 1 else f"all {tracks_now} of its tracks"
        reason = f"it would be emptied: {every} would be removed"
    elif tracks_now >= thresholds.min_tracks and removed_rows * 100 > thresholds.percent * tracks_now:
        share = round(100 * removed_rows / tracks_now)
        reason = f"{removed_rows} of its {tracks_now} tracks ({share} %) would be removed"
    elif first_route:
        reason = (
            f"it has never been routed, and {removed_rows} of the "
            f"{tracks_now} {ngettext('track', 'tracks', tracks_now)} it holds now would be removed"
        )
    if not reason:
        return None
    return PendingRemoval(
        child_id=child_id,
        spotify_id=spotify_id,
        name=name,
        tracks_now=tracks_now,
        tracks_after=tracks_after,
        removed_rows=removed_rows,
        removals=list(change.removals),
        reason=reason,
    )


def _tracks(rows: Sequence[str]) -> int:
    return sum(1 for uri in rows if uri and writable(uri))
