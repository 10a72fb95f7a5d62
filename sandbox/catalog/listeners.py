"""Listeners created at run time (`POST /_sandbox/users`), for benchmarks of many listeners.

A listener is built like the seeded ones (`LibraryBuilder`: playlist names, dates before the
anchor, snapshot ids, liked songs, a play history and top items), from a generator of its own
seeded by the catalog seed and the listener's id: the same request on the same seed gives the
same playlist ids and the same rows, whatever else was created before it.

Unlike the seeded playlists, a listener's tracks do not repeat across its library while the
catalog has tracks it has not used yet (`DistinctDraw`), so a 50,000-item library at `--scale 2`
(~78k tracks) holds ~50,000 distinct tracks. Rows are plain catalog tracks: no local files,
episodes or unavailable tracks, so item counts are exactly the sizes asked for.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import random
from collections.abc import Collection, Sequence

from sandbox.catalog.library import DAY_MS, LibraryBuilder, Pools, _iso
from sandbox.catalog.models import TRACK, Catalog, PlaylistSeed, User, UserLibrary
from sandbox.ids import derive_id

# Misses in a row before a family's weighted draws with rejection give way to a queue.
REJECTION_TRIES = 6


@dataclasses.dataclass(frozen=True, slots=True)
class Listener:
    user: User
    playlists: tuple[PlaylistSeed, ...]  # in the order of the sizes asked for
    library: UserLibrary
    distinct_tracks: int  # distinct tracks across the playlists


class DistinctDraw:
    """Weighted track draws (as `Pools.sample` weighs them) without repeats inside one round.

    A family is drawn by rejection while few of its tracks are taken; after REJECTION_TRIES
    misses in a row it switches to a queue: the family's untaken tracks in a weighted random
    order (Efraimidis–Spirakis keys), popped one by one. When every family is used up a new
    round starts and tracks repeat; `exclude` keeps them out of the playlist being filled.
    """

    def __init__(self, *, rng: random.Random, pools: Pools) -> None:
        self.rng, self.pools = rng, pools
        self.rounds = 0
        self.new_round()

    def new_round(self) -> None:
        self.rounds += 1
        self.seen: set[int] = set()
        self.queues: dict[str, list[int]] = {}
        self.deferred: dict[str, list[int]] = {}
        self.left = {family: len(members) for family, members in self.pools.members.items()}

    def take(self, family: str, exclude: Collection[int]) -> int | None:
        """A track of `family` not taken this round and not in `exclude`; None if it has none."""
        if not self.left[family]:
            return None
        queue = self.queues.get(family)
        if queue is None:
            members, cumulative = self.pools.members[family], self.pools.cumulative[family]
            total, hi, random_ = cumulative[-1], len(members) - 1, self.rng.random
            for _ in range(REJECTION_TRIES):
                ref = members[bisect.bisect(cumulative, random_() * total, 0, hi)]
                if ref not in self.seen and ref not in exclude:
                    return self._taken(family, ref)
            queue = self.queues[family] = self._queue(family)
        while queue:
            ref = queue.pop()
            if ref in exclude:
                # Already in this playlist (a later round): kept for the next playlist.
                self.deferred.setdefault(family, []).append(ref)
                continue
            return self._taken(family, ref)
        return None

    def release(self) -> None:
        """A playlist is full: the tracks it deferred go back to the front of their queues."""
        for family, refs in self.deferred.items():
            self.queues[family].extend(reversed(refs))
        self.deferred.clear()

    def _taken(self, family: str, ref: int) -> int:
        self.seen.add(ref)
        self.left[family] -= 1
        return ref

    def _queue(self, family: str) -> list[int]:
        random_, log, seen = self.rng.random, math.log, self.seen
        keyed = [
            (log(1.0 - random_()) / weight, ref)
            for ref, weight in zip(self.pools.members[family], self.pools.weights[family], strict=True)
            if ref not in seen
        ]
        keyed.sort()  # the largest key is drawn first: it goes last, for pop()
        return [ref for _, ref in keyed]


class ListenerBuilder(LibraryBuilder):
    """`LibraryBuilder` for one listener, drawing its playlist rows from a `DistinctDraw`."""

    def __init__(self, *, catalog: Catalog, pools: Pools, user_id: str) -> None:
        super().__init__(
            # A string seed is hashed with SHA-512: stable across processes and Python runs.
            rng=random.Random(f"listener:{catalog.seed}:{user_id}"),
            seed=catalog.seed,
            scale=catalog.scale,
            now=catalog.now,
            artists=catalog.artists,
            albums=catalog.albums,
            tracks=catalog.tracks,
            episodes=catalog.episodes,
            pools=pools,
            listeners=(user_id,),
        )
        self.user_id = user_id
        self.draw = DistinctDraw(rng=self.rng, pools=pools)
        self.families = sorted(pools.members)

    def build_listener(self, *, display_name: str, sizes: Sequence[int], liked: int, plays: int) -> Listener:
        user_id, rng = self.user_id, self.rng
        user = User(
            user_id,
            display_name,
            True,
            "premium",
            "US",
            f"{user_id}@sandbox.invalid",
            int(rng.paretovariate(2.0)) - 1,
            derive_id(seed=self.seed, kind="account", ordinal=user_id)[:10],
        )
        owned = tuple(
            self._playlist(owner=user_id, size=size, public=rng.random() < 0.6, name=None) for size in sizes
        )
        in_playlists = list(dict.fromkeys(e.ref for pl in owned for e in pl.entries))
        liked_refs = self._liked(in_playlists, count=liked)
        liked_times = sorted(
            (rng.randint(self.now_ms - 4000 * DAY_MS, self.now_ms - 3_600_000) for _ in liked_refs),
            reverse=True,
        )
        history = ()
        if plays:
            pool = liked_refs or in_playlists or self._fresh(count=50, exclude=())
            history = self._history(playlists=list(owned), liked=pool, count=plays)
        library = UserLibrary(
            playlists=tuple(pl.id for pl in owned),
            liked=tuple((ref, _iso(ms)) for ref, ms in zip(liked_refs, liked_times, strict=True)),
            plays=history,
            top_tracks=self._top_tracks(history=history, liked=liked_refs),
            top_artists=self._top_artists(history=history),
        )
        return Listener(user=user, playlists=owned, library=library, distinct_tracks=len(in_playlists))

    # --- LibraryBuilder hooks ------------------------------------------------
    def _playlist_id(self, *, ordinal: int, owner: str) -> str:
        return derive_id(seed=self.seed, kind="listener-playlist", ordinal=f"{owner}:{ordinal}")

    def _track_rows(self, *, owner: str, family: str, size: int) -> list[tuple[str, int]]:
        rng = self.rng
        focus = rng.uniform(0.6, 0.95) if size < 1000 else 0.35
        taste_families, taste_weights = zip(*self.taste[owner].items(), strict=True)
        spice = rng.choices(taste_families, weights=taste_weights, k=size)
        chosen: set[int] = set()
        rows = []
        catalog_size = len(self.tracks)
        for n in range(size):
            wanted = family if rng.random() < focus else spice[n]
            # Inside one playlist a track repeats only when the playlist outgrows the catalog.
            ref = self._pick(wanted, exclude=chosen if len(chosen) < catalog_size else ())
            chosen.add(ref)
            rows.append((TRACK, ref))
        self.draw.release()
        return rows

    # --- drawing -------------------------------------------------------------
    def _pick(self, family: str, *, exclude: Collection[int]) -> int:
        draw = self.draw
        ref = draw.take(family, exclude)
        if ref is not None:
            return ref
        # The family is used up: the one with the most tracks left stands in (a fixed order).
        ref = draw.take(max(self.families, key=draw.left.__getitem__), exclude)
        if ref is not None:
            return ref
        for other in sorted(self.families, key=lambda f: -draw.left[f]):
            ref = draw.take(other, exclude)
            if ref is not None:
                return ref
        # The whole catalog is used up (or left only to tracks this playlist has): repeats begin.
        draw.release()
        draw.new_round()
        return self._pick(family, exclude=exclude)

    def _fresh(self, *, count: int, exclude: Collection[int]) -> list[int]:
        taste_families, taste_weights = zip(*self.taste[self.user_id].items(), strict=True)
        picks: list[int] = []
        taken = set(exclude)
        for family in self.rng.choices(taste_families, weights=taste_weights, k=count):
            ref = self._pick(family, exclude=taken)
            taken.add(ref)
            picks.append(ref)
        return picks

    def _liked(self, in_playlists: list[int], *, count: int) -> list[int]:
        """Liked songs: mostly from the listener's playlists, then tracks from outside them."""
        from_playlists = self.rng.sample(in_playlists, k=min(count, len(in_playlists)))
        extra = self._fresh(count=count - len(from_playlists), exclude=from_playlists)
        return from_playlists + extra


def build_listener(
    *,
    catalog: Catalog,
    pools: Pools,
    user_id: str,
    display_name: str,
    sizes: Sequence[int],
    liked: int,
    plays: int,
) -> Listener:
    builder = ListenerBuilder(catalog=catalog, pools=pools, user_id=user_id)
    return builder.build_listener(display_name=display_name, sizes=sizes, liked=liked, plays=plays)
