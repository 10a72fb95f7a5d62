"""The writes that remove chosen rows (duplicates) from a playlist and leave every other row
where it was. Pure: no Spotify, no database.

Spotify removes by URI, and a DELETE takes every copy of it: removing the second copy of a
track means removing them all and adding the kept copy back at its place. So:
- a playlist of at most 100 rows after the removal, all of them writable: one PUT of the
  rows that stay (atomic: the playlist is old or new, never short);
- otherwise, per batch of at most 100 affected URIs: one DELETE, then the kept copies of those
  URIs inserted back at their positions (runs of neighbours in one POST). A failure between a
  DELETE and its POSTs leaves those tracks missing until the run's backup is restored; the
  batches keep that window to one request.
Local files and unavailable rows are never removed or moved (the Web API cannot add them back),
and positions count them as Spotify does.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence

from routing.services.child_writes import PER_REQUEST, ChildChange, Write, simulate, writable

__all__ = ["PlanError", "plan_dedupe"]


class PlanError(ValueError):
    """The rows to remove are not removable (out of range, a local file): nothing is planned."""


def plan_dedupe(*, rows: Sequence[str], drop: Collection[int]) -> ChildChange:
    """The writes that take the rows at positions `drop` out of `rows` (URIs in Spotify's order)."""
    rows, drop = list(rows), set(drop)
    for position in drop:
        if not 0 <= position < len(rows) or not writable(rows[position]):
            raise PlanError(f"Row {position} cannot be removed: it is not a track or episode of this playlist.")
    final = [uri for index, uri in enumerate(rows) if index not in drop]
    affected = list(dict.fromkeys(rows[index] for index in sorted(drop)))
    remaining = set(final)
    change = ChildChange(rows, additions=[], removals=[uri for uri in affected if uri not in remaining])
    if not drop:
        return change
    if len(final) <= PER_REQUEST and all(writable(uri) for uri in rows):
        change.writes = [Write("PUT", tuple(final))]
    else:
        change.writes = _delete_and_put_back(rows, drop, affected)
    if simulate(rows, change.writes) != final:  # a planning bug must never reach Spotify
        raise PlanError("The removal could not be planned exactly; nothing was written.")
    return change


def _delete_and_put_back(rows: list[str], drop: set[int], affected: list[str]) -> list[Write]:
    # The playlist as (original position, URI): kept in original order, so a kept copy goes back
    # right after the rows that preceded it.
    state = list(enumerate(rows))
    writes: list[Write] = []
    for start in range(0, len(affected), PER_REQUEST):
        batch = set(affected[start : start + PER_REQUEST])
        writes.append(Write("DELETE", tuple(affected[start : start + PER_REQUEST])))
        state = [(index, uri) for index, uri in state if uri not in batch]
        back = [(index, uri) for index, uri in enumerate(rows) if uri in batch and index not in drop]
        runs: list[tuple[int, int, list[str]]] = []  # (position, length before it, URIs)
        for index, uri in back:
            at = bisect.bisect_left([kept for kept, _ in state], index)
            last = runs[-1] if runs else None
            if last is not None and last[0] + len(last[2]) == at and len(last[2]) < PER_REQUEST:
                last[2].append(uri)
            else:
                runs.append((at, len(state), [uri]))
            state.insert(at, (index, uri))
        writes += [
            Write("POST", tuple(uris), position=None if at == length else at) for at, length, uris in runs
        ]
    return writes
