"""Which of a base's tracks each child gets: pure, over TrackFacts, no database or Spotify."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from routing.filters.document import FilterDocument
from routing.filters.facts import TrackFacts

ChildKey = TypeVar("ChildKey", bound=Hashable)


def route_tracks(
    *,
    facts: Sequence[TrackFacts],
    children: Sequence[tuple[ChildKey, FilterDocument]],
    first_match_only: bool,
    now: datetime | None = None,
) -> dict[ChildKey, list[str]]:
    """Track ids per child, in the base's order; every child is a key, even with no tracks.

    ``facts`` is the base's items in order; ``children`` is (key, filters) in position order.
    A track the base holds twice appears once per child, where its first matching occurrence
    is (occurrences can differ: each has its own added_at). With ``first_match_only`` a track
    goes only to the first child, in position order, that any of its occurrences matches.
    ``now`` is the run's clock for date filters (default: the current time).
    """
    keys = [key for key, _ in children]
    if len(set(keys)) != len(keys):
        raise ValueError("Each child may appear only once in `children`.")
    # One clock for the whole run, so "added within 7 days" means the same for every child.
    now = now or datetime.now(UTC)
    compiled = [(key, document.compile(now=now)) for key, document in children]

    routed: dict[ChildKey, list[str]] = {key: [] for key in keys}
    taken: dict[ChildKey, set[str]] = {key: set() for key in keys}
    for track in facts:
        for key, predicate in compiled:
            if track.track_id not in taken[key] and predicate(track):
                taken[key].add(track.track_id)
                routed[key].append(track.track_id)

    if first_match_only:
        # Decided after matching every occurrence: a later occurrence can match an earlier child.
        claimed: set[str] = set()
        for key in keys:
            routed[key] = [track_id for track_id in routed[key] if track_id not in claimed]
            claimed.update(routed[key])
    return routed
