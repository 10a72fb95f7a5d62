"""The writes that turn a child playlist's current items into its target, and what they leave.

Pure: no Spotify, no database. `current` is the child's URIs in order, with "" standing for
rows we leave alone (local files, unavailable tracks) so that positions stay Spotify's.

Rebuild children end with exactly the target, in the base's order:
- at most 100 tracks: one PUT that replaces the whole list — atomic, the child is old or new;
- otherwise, while the tracks it keeps are already in the base's order: each run of missing
  tracks is inserted where it belongs (POST with a position, 100 a request), then the tracks
  no longer wanted are removed (DELETE, 100 a request) — additions first, so the child is
  never emptied and a failure part-way leaves old tracks plus some new ones;
- kept tracks out of order (the base was reordered, someone moved them): the missing ones
  are appended and the unwanted removed as above, then the fewest single-track moves (every
  track outside a longest run already in order) put the rest in place.
Add-only children get the missing tracks appended in the base's order; nothing else moves.

Restoring a backup (`plan_restore`) aims at an exact list, duplicates included: one PUT for
up to 100 rows; a longer list without duplicates goes the rebuild way above; a longer list
with duplicates is written as a PUT of its first 100 rows and POSTs of the rest (the only
plan that can leave a child short if Spotify fails part-way, which the restore's own backup
of the child covers). Rows we may not write (local files) stay where they are.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.models import ChildMode

PER_REQUEST = 100  # Spotify's maximum URIs for POST, PUT and DELETE /playlists/{id}/items


@dataclass(frozen=True)
class Write:
    """One request: POST (insert `uris` at `position`, None = at the end), DELETE (every copy of
    `uris`), PUT with `uris` (replace everything), or PUT with `move` = (range_start, insert_before).
    routing.services.child_sends sends each through its spotify.api call, which owns the JSON body."""

    method: str
    uris: tuple[str, ...] = ()
    position: int | None = None
    move: tuple[int, int] | None = None


@dataclass
class ChildChange:
    current: list[str]
    additions: list[str]
    removals: list[str]
    writes: list[Write] = field(default_factory=list)
    # False when the writes cannot reach the target exactly (a restore whose repeated tracks
    # cannot be placed around local files): the caller says so rather than claim success.
    exact: bool = True

    @property
    def final(self) -> list[str]:
        """The child's URIs after every write, placeholders included."""
        return simulate(self.current, self.writes)


def writable(uri: str) -> bool:
    """A row the Web API can add back: a track or an episode (not a local file, not a gap)."""
    return uri.startswith(("spotify:track:", "spotify:episode:"))


def placeholders(uris: Sequence[str]) -> list[str]:
    """Rows as the planner sees them: "" for every row we leave alone."""
    return [uri if writable(uri) else "" for uri in uris]


def plan_change(*, current: Sequence[str], target: Sequence[str], mode: str) -> ChildChange:
    """The writes that give a child (`current`: its rows, placeholders or raw URIs) the base's
    `target` track ids in `mode`."""
    wanted = list(dict.fromkeys(f"spotify:track:{track_id}" for track_id in target))
    return _plan(current=placeholders(current), wanted=wanted, mode=mode)


def plan_restore(*, current: Sequence[str], backup: Sequence[str]) -> ChildChange:
    """The writes that bring a child (`current` rows) back to a backup's rows, as exactly as
    the Web API allows (see the module docstring)."""
    rows = placeholders(current)
    wanted = [uri for uri in backup if writable(uri)]
    real = [uri for uri in rows if uri]
    if real == wanted:
        return ChildChange(rows, [], [])
    if len(wanted) == len(set(wanted)) or "" in rows:
        # No duplicates to keep (or rows we may not replace): the in-place rebuild plan.
        change = _plan(current=rows, wanted=list(dict.fromkeys(wanted)), mode=ChildMode.REBUILD)
        change.exact = len(wanted) == len(set(wanted))
        return change
    present, keep = set(real), set(wanted)
    change = ChildChange(
        rows,
        additions=[uri for uri in dict.fromkeys(wanted) if uri not in present],
        removals=[uri for uri in dict.fromkeys(real) if uri not in keep],
    )
    chunks = _chunks(wanted)
    change.writes = [Write("PUT", chunks[0] if chunks else ())] + [
        Write("POST", chunk) for chunk in chunks[1:]
    ]
    return change


def _plan(*, current: list[str], wanted: list[str], mode: str) -> ChildChange:
    real = [uri for uri in current if uri]
    present = set(real)
    additions = [uri for uri in wanted if uri not in present]
    if mode == ChildMode.ADD_ONLY:
        return ChildChange(current, additions, [], _appends(additions))
    keep = set(wanted)
    removals = [uri for uri in dict.fromkeys(real) if uri not in keep]
    kept = [uri for uri in real if uri in keep]
    in_order = kept == [uri for uri in wanted if uri in present]  # a kept duplicate breaks it too
    change = ChildChange(current, additions, removals)
    if not additions and not removals and in_order:
        return change
    if len(wanted) <= PER_REQUEST and "" not in current:
        change.writes = [Write("PUT", tuple(wanted))]
    elif in_order:
        change.writes = _inserts(current, wanted, present) + _deletes(removals)
    else:
        change.writes = _appends(additions) + _deletes(removals)
        if "" not in current and len(kept) == len(set(kept)):
            change.writes += _moves(simulate(current, change.writes), wanted)
        # else: placeholders or duplicates we may not touch; the tracks are right, the order
        # may not be (rare: a listener's local file or duplicate inside a rebuild child).
    return change


def simulate(current: Sequence[str], writes: Sequence[Write]) -> list[str]:
    """What Spotify holds after `writes`, as its documented semantics say."""
    rows = list(current)
    for write in writes:
        if write.move is not None:
            start, before = write.move
            moving = rows.pop(start)
            rows.insert(before - 1 if before > start else before, moving)
        elif write.method == "DELETE":
            dropped = set(write.uris)
            rows = [uri for uri in rows if uri not in dropped]
        elif write.method == "PUT":
            rows = list(write.uris)
        else:
            at = len(rows) if write.position is None else write.position
            rows[at:at] = write.uris
    return rows


# --- the plans -----------------------------------------------------------------------------------
def _chunks(uris: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(uris[start : start + PER_REQUEST]) for start in range(0, len(uris), PER_REQUEST)]


def _appends(uris: Sequence[str]) -> list[Write]:
    return [Write("POST", chunk) for chunk in _chunks(uris)]


def _deletes(uris: Sequence[str]) -> list[Write]:
    return [Write("DELETE", chunk) for chunk in _chunks(uris)]


def _inserts(current: list[str], wanted: list[str], present: set[str]) -> list[Write]:
    """Each run of missing tracks right after the kept track before it in the base (or first)."""
    first_index: dict[str, int] = {}
    for index, uri in enumerate(current):
        if uri and uri not in first_index:
            first_index[uri] = index
    runs: list[tuple[int, list[str]]] = []
    at = 0  # before everything: no kept track comes before the first run
    for uri in wanted:
        if uri in present:
            at = first_index[uri] + 1
        elif runs and runs[-1][0] == at:
            runs[-1][1].append(uri)
        else:
            runs.append((at, [uri]))
    writes: list[Write] = []
    # Last run first, so the positions of the earlier ones still hold when they are sent.
    for at, uris in reversed(runs):
        for offset, chunk in enumerate(_chunks(uris)):
            position = at + offset * PER_REQUEST
            writes.append(Write("POST", chunk, position=None if position >= len(current) else position))
    return writes


def _moves(rows: list[str], wanted: list[str]) -> list[Write]:
    """Single-track moves that put `rows` (the wanted tracks, each once) in `wanted`'s order.

    Tracks in a longest increasing run (by wanted index) stay; every other one, in wanted
    order, moves right after its predecessor, which is already in place by then.
    """
    rank = {uri: index for index, uri in enumerate(wanted)}
    staying = _longest_increasing(rows, rank)
    rows = list(rows)
    writes: list[Write] = []
    for index, uri in enumerate(wanted):
        if uri in staying:
            continue
        start = rows.index(uri)
        before = rows.index(wanted[index - 1]) + 1 if index else 0
        if before == start:
            continue  # already right after its predecessor
        writes.append(Write("PUT", move=(start, before)))
        rows.pop(start)
        rows.insert(before - 1 if before > start else before, uri)
    return writes


def _longest_increasing(rows: list[str], rank: dict[str, int]) -> set[str]:
    """The tracks of one longest subsequence of `rows` whose wanted ranks increase (O(n log n))."""
    tails: list[int] = []  # the smallest tail rank of an increasing run of each length
    tail_at: list[int] = []  # index in rows of that tail
    parent: list[int] = [-1] * len(rows)
    for index, uri in enumerate(rows):
        value = rank[uri]
        length = bisect.bisect_left(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_at.append(index)
        else:
            tails[length] = value
            tail_at[length] = index
        parent[index] = tail_at[length - 1] if length else -1
    staying: set[str] = set()
    index = tail_at[-1] if tail_at else -1
    while index != -1:
        staying.add(rows[index])
        index = parent[index]
    return staying
