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


def plan_resume(*, current: Sequence[str], backup: Sequence[str], drop: Collection[int]) -> ChildChange:
    """The writes that finish a removal stopped part-way: `current` (what the playlist holds now,
    some of the backup's rows taken out) towards the backup less the rows at `drop`. The
    confirmed rows still there go as in `plan_dedupe`; every kept copy missing goes back at its
    backup position (around local files too). PlanError when `current` is not what a part-way
    removal leaves (not the backup's rows in its order, less some)."""
    drop = set(drop)
    target = [uri for index, uri in enumerate(backup) if index not in drop]
    origin = _embedding(current, backup)
    if origin is None:
        raise PlanError("The playlist is not what the removal left part-way; nothing was written.")
    still = {position for position, index in enumerate(origin) if index in drop}
    change = plan_dedupe(rows=current, drop=still)
    after = simulate(current, change.writes)
    put_back = plan_put_back(current=after, target=target)
    change.writes = list(change.writes) + put_back.writes
    if simulate(current, change.writes) != target:
        raise PlanError("The removal could not be finished exactly; nothing was written.")
    return change


def plan_put_back(*, current: Sequence[str], target: Sequence[str]) -> ChildChange:
    """The POSTs that insert the rows of `target` missing from `current` (which must hold the
    rest of `target`, in its order) each at its position in `target`: every copy of a repeated
    track and every row around a local file stays where it was. PlanError if that cannot be."""
    origin = _embedding(current, target)
    if origin is None:
        raise PlanError("The playlist holds rows the backup does not, or in another order.")
    present = set(origin)
    missing = [index for index in range(len(target)) if index not in present]
    if any(not writable(target[index]) for index in missing):
        raise PlanError("A local file or unavailable row is missing; the Web API cannot add it back.")
    change = ChildChange(list(current), additions=[target[index] for index in missing], removals=[])
    length, runs = len(current), []  # runs of neighbouring missing rows: (position, URIs)
    for index in missing:
        if runs and runs[-1][0] + len(runs[-1][1]) == index and len(runs[-1][1]) < PER_REQUEST:
            runs[-1][1].append(target[index])
        else:
            runs.append((index, [target[index]]))
    for at, uris in runs:  # in target order: every row before `at` is in place by then
        change.writes.append(Write("POST", tuple(uris), position=None if at == length else at))
        length += len(uris)
    if simulate(current, change.writes) != list(target):
        raise PlanError("The rows could not be put back exactly; nothing was written.")
    return change


def _embedding(rows: Sequence[str], within: Sequence[str]) -> list[int] | None:
    """For each row of `rows`, the index in `within` it stands for (the earliest that keeps the
    order), or None when `rows` is not `within` less some rows."""
    origin, index = [], 0
    for uri in rows:
        while index < len(within) and within[index] != uri:
            index += 1
        if index == len(within):
            return None
        origin.append(index)
        index += 1
    return origin
