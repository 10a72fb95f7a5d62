"""Users and their personal data: playlists (long-tailed sizes), liked songs, play history, top items."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence

from sandbox.catalog import taxonomy as tx
from sandbox.catalog.models import (
    EPISODE,
    LOCAL,
    TRACK,
    UNAVAILABLE,
    Album,
    Artist,
    Entry,
    Episode,
    LocalFile,
    Play,
    PlaylistSeed,
    Track,
    User,
    UserLibrary,
)
from sandbox.ids import derive_id

DEMO_PLAYLISTS = 70
DEMO_ITEMS = 11_629  # A real power user's library, at scale 1.0.
DAY_MS = 86_400_000
# The generated listening stops a day before `now`: the sandbox starts at `now`, and the plays a
# test adds up to the present (POST /_sandbox/users/{id}/plays, ~400 at the default spacing)
# must all be later than the generated history's newest.
HISTORY_ENDS_BEFORE_NOW_MS = DAY_MS
# Shares of the demo user's playlist rows that are not ordinary catalog tracks.
LOCAL_SHARE, UNAVAILABLE_SHARE, EPISODE_SHARE = 0.010, 0.005, 0.002

USERS = (
    User("demo", "Demo Listener", True, "premium", "US", "demo@sandbox.invalid", 12, ""),
    User("other", "Second Listener", True, "free", "GB", "other@sandbox.invalid", 3, ""),
    User("crate_digger", "Crate Digger", False, "premium", "DE", "crate@sandbox.invalid", 1520, ""),
    User("nightbus", "Night Bus Radio", False, "premium", "SE", "nightbus@sandbox.invalid", 88_012, ""),
)


class Pools:
    """Weighted track pools per genre family, for fast `random.choices` with cumulative weights."""

    def __init__(self, *, artists: Sequence[Artist], tracks: Sequence[Track]) -> None:
        by_family: dict[str, list[int]] = {}
        weights: dict[str, list[float]] = {}
        for index, track in enumerate(tracks):
            artist = artists[track.artists[0]]
            by_family.setdefault(artist.family, []).append(index)
            weights.setdefault(artist.family, []).append(artist.weight * (0.4 + track.popularity / 40))
        self.members = by_family
        self.weights = weights
        self.cumulative = {family: list(itertools.accumulate(w)) for family, w in weights.items()}

    def sample(self, *, rng: random.Random, family: str, k: int) -> list[int]:
        return rng.choices(self.members[family], cum_weights=self.cumulative[family], k=k)


class LibraryBuilder:
    """Every dated row (added_at, plays, top-item windows) is an offset before `now`, drawn from
    the rng the same way whatever `now` is: another anchor shifts the dates and nothing else."""

    def __init__(
        self,
        *,
        rng: random.Random,
        seed: int,
        scale: float,
        now: dt.datetime,
        artists: Sequence[Artist],
        albums: Sequence[Album],
        tracks: Sequence[Track],
        episodes: Sequence[Episode],
        pools: Pools | None = None,
        listeners: Sequence[str] = tuple(u.id for u in USERS),
    ) -> None:
        self.rng, self.seed, self.scale = rng, seed, scale
        self.now_ms = int(now.timestamp() * 1000)
        self.artists, self.albums, self.tracks, self.episodes = artists, albums, tracks, episodes
        self.pools = pools or Pools(artists=artists, tracks=tracks)
        self.local_files: list[LocalFile] = []
        self.playlists: dict[str, PlaylistSeed] = {}
        self._ordinal = itertools.count()
        families = [f.name for f in tx.FAMILIES if f.name in self.pools.members]
        # Each listener leans on a few families; the rest shows up as spice.
        self.taste = {user: self._taste(families) for user in listeners}

    def build(
        self,
    ) -> tuple[dict[str, User], dict[str, PlaylistSeed], dict[str, UserLibrary], list[LocalFile]]:
        users = {
            u.id: User(
                u.id,
                u.display_name,
                u.signable,
                u.product,
                u.country,
                u.email,
                u.followers,
                derive_id(seed=self.seed, kind="account", ordinal=u.id)[:10],
            )
            for u in USERS
        }
        demo_owned = self._demo_playlists()
        other_owned = [
            self._playlist(
                owner="other", size=self._scaled(size), public=public, name=name, collaborators=collab
            )
            for size, public, name, collab in (
                (35, True, "Second Listener's Mix", ()),
                (22, True, "Songs For Rainy Mondays", ()),
                (48, False, "Shared Road Trip", ("demo",)),
                (15, False, "Drafts", ()),
                (60, False, "Gym 2025", ()),
            )
        ]
        third_party = [
            self._playlist(
                owner="crate_digger",
                size=self._scaled(80),
                public=True,
                name="Crates Dug Deep",
                followers=1520,
            ),
            self._playlist(
                owner="nightbus",
                size=self._scaled(120),
                public=True,
                name="Night Bus Radio Hour",
                followers=88_012,
            ),
        ]
        demo_collab = next(pl for pl in demo_owned if pl.collaborative)
        demo_list = (
            [pl.id for pl in demo_owned]
            + [other_owned[i].id for i in (0, 1, 2)]
            + [pl.id for pl in third_party]
        )
        self.rng.shuffle(demo_list)
        other_list = [pl.id for pl in other_owned] + [demo_collab.id]
        libraries = {
            "demo": self._personal(user="demo", playlist_ids=demo_list, liked=420, plays=6000),
            "other": self._personal(user="other", playlist_ids=other_list, liked=60, plays=300),
            "crate_digger": UserLibrary((third_party[0].id,), (), (), {}, {}),
            "nightbus": UserLibrary((third_party[1].id,), (), (), {}, {}),
        }
        return users, self.playlists, libraries, self.local_files

    # --- playlists -----------------------------------------------------------
    def _demo_playlists(self) -> list[PlaylistSeed]:
        sizes = long_tail_sizes(
            rng=self.rng, count=DEMO_PLAYLISTS, total=max(DEMO_PLAYLISTS, round(DEMO_ITEMS * self.scale))
        )
        podcast_slot = min(range(len(sizes)), key=lambda i: abs(sizes[i] - 25))
        collab_slot = min(
            (i for i in range(len(sizes)) if i != podcast_slot), key=lambda i: abs(sizes[i] - 80)
        )
        duplicate_slots = sorted(range(len(sizes)), key=lambda i: -sizes[i])[1:4]
        playlists = []
        for slot, size in enumerate(sizes):
            playlists.append(
                self._playlist(
                    owner="demo",
                    size=size,
                    public=self.rng.random() < 0.6,
                    name=None,
                    collaborators=("other",) if slot == collab_slot else (),
                    podcasts=slot == podcast_slot,
                    duplicates=2 if slot in duplicate_slots else 0,
                    specials=True,
                )
            )
        return playlists

    def _playlist(
        self,
        *,
        owner: str,
        size: int,
        public: bool,
        name: str | None,
        collaborators: tuple[str, ...] = (),
        podcasts: bool = False,
        duplicates: int = 0,
        specials: bool = False,
        followers: int | None = None,
    ) -> PlaylistSeed:
        rng = self.rng
        ordinal = next(self._ordinal)
        family = rng.choices(*zip(*self.taste[owner].items(), strict=True))[0]
        if name is None:
            name = "Podcasts To Finish" if podcasts else self._playlist_name(family=family, size=size)
        created_ms = self.now_ms - rng.randint(40, 4600) * DAY_MS
        times = sorted(rng.randint(created_ms, self.now_ms - DAY_MS) for _ in range(size))
        adders = (owner, *collaborators)
        refs = (
            self._episode_rows(size) if podcasts else self._track_rows(owner=owner, family=family, size=size)
        )
        entries = []
        for position, (kind, ref) in enumerate(refs):
            if specials and kind == TRACK:
                kind, ref = self._special(kind=kind, ref=ref)
            added_by = adders[0] if len(adders) == 1 or rng.random() < 0.7 else rng.choice(adders[1:])
            entries.append(Entry(kind, ref, _iso(times[position]), added_by))
        for n in range(duplicates if size > 20 else 0):
            # Spotify allows the same track twice in a playlist; importers must keep both rows.
            source = entries[n * 7]
            target = size - 1 - n * 3
            entries[target] = Entry(source.kind, source.ref, entries[target].added_at, source.added_by)
        seed = PlaylistSeed(
            id=self._playlist_id(ordinal=ordinal, owner=owner),
            owner=owner,
            name=name,
            description="" if rng.random() < 0.5 else f"{rng.choice(tx.PLAYLIST_MOODS)} {family} picks.",
            public=public and not collaborators,
            collaborative=bool(collaborators),
            collaborators=frozenset(collaborators),
            followers=followers if followers is not None else int(rng.paretovariate(2.5)) - 1,
            entries=tuple(entries),
        )
        self.playlists[seed.id] = seed
        return seed

    def _playlist_id(self, *, ordinal: int, owner: str) -> str:
        return derive_id(seed=self.seed, kind="playlist", ordinal=ordinal)

    def _track_rows(self, *, owner: str, family: str, size: int) -> list[tuple[str, int]]:
        rng, chosen, seen = self.rng, [], set()
        focus = rng.uniform(0.6, 0.95) if size < 1000 else 0.35
        taste_families, taste_weights = zip(*self.taste[owner].items(), strict=True)
        while len(chosen) < size:
            want = (size - len(chosen)) * 2 + 8
            picks = self.pools.sample(rng=rng, family=family, k=int(want * focus) + 1)
            for other_family in rng.choices(taste_families, weights=taste_weights, k=4):
                picks += self.pools.sample(rng=rng, family=other_family, k=want // 4 + 1)
            rng.shuffle(picks)
            for ref in picks:
                if ref not in seen:
                    seen.add(ref)
                    chosen.append((TRACK, ref))
                    if len(chosen) == size:
                        break
        return chosen

    def _episode_rows(self, size: int) -> list[tuple[str, int]]:
        return [
            (EPISODE, ref)
            for ref in self.rng.sample(range(len(self.episodes)), k=min(size, len(self.episodes)))
        ]

    def _special(self, *, kind: str, ref: int) -> tuple[str, int]:
        roll = self.rng.random()
        if roll < LOCAL_SHARE:
            self.local_files.append(
                LocalFile(
                    name=f"{self.rng.choice(tx.ADJECTIVES)} {self.rng.choice(tx.NOUNS)} (Demo)",
                    artist=f"{self.rng.choice(tx.FIRST_NAMES)} {self.rng.choice(tx.LAST_NAMES)}",
                    album=self.rng.choice(("Bootlegs", "Home Recordings", "Ripped CDs", "")),
                    duration_ms=self.rng.randint(90_000, 420_000),
                )
            )
            return LOCAL, len(self.local_files) - 1
        if roll < LOCAL_SHARE + UNAVAILABLE_SHARE:
            return UNAVAILABLE, ref
        if roll < LOCAL_SHARE + UNAVAILABLE_SHARE + EPISODE_SHARE:
            return EPISODE, self.rng.randrange(len(self.episodes))
        return kind, ref

    def _playlist_name(self, *, family: str, size: int) -> str:
        rng = self.rng
        genre = rng.choice(tx.FAMILY_BY_NAME[family].genres).title()
        if size > 1000:
            return rng.choice(("Everything I Love", f"All Things {genre}", "The Big One", "Liked Archive"))
        style = rng.random()
        if style < 0.35:
            return f"{rng.choice(tx.PLAYLIST_MOODS)} {genre}"
        if style < 0.55:
            return f"{genre} Essentials"
        if style < 0.7:
            return f"{rng.choice(tx.PLAYLIST_MOODS)} {rng.randint(2012, 2026)}"
        if style < 0.85:
            return f"{rng.choice(tx.ADJECTIVES)} {rng.choice(tx.NOUNS)}"
        return f"{rng.choice(('Summer', 'Autumn', 'Winter', 'Spring'))} {rng.randint(2012, 2026)}"

    # --- personal data -------------------------------------------------------
    def _personal(self, *, user: str, playlist_ids: list[str], liked: int, plays: int) -> UserLibrary:
        rng = self.rng
        owned = [self.playlists[pid] for pid in playlist_ids]
        favourites = sorted({e.ref for pl in owned for e in pl.entries if e.kind == TRACK})
        liked_count = min(len(favourites), max(10, round(liked * self.scale)))
        liked_refs = rng.sample(favourites, k=liked_count)
        liked_times = sorted(
            (rng.randint(self.now_ms - 4000 * DAY_MS, self.now_ms - 3_600_000) for _ in liked_refs),
            reverse=True,
        )
        liked_rows = tuple((ref, _iso(ms)) for ref, ms in zip(liked_refs, liked_times, strict=True))
        history = self._history(playlists=owned, liked=liked_refs, count=max(50, round(plays * self.scale)))
        return UserLibrary(
            playlists=tuple(playlist_ids),
            liked=liked_rows,
            plays=history,
            top_tracks=self._top_tracks(history=history, liked=liked_refs),
            top_artists=self._top_artists(history=history),
        )

    def _history(self, *, playlists: list[PlaylistSeed], liked: list[int], count: int) -> tuple[Play, ...]:
        """Listening sessions walked backwards from a day before `now`: a playlist, an album, or
        shuffled likes."""
        rng, plays = self.rng, []
        at = self.now_ms - HISTORY_ENDS_BEFORE_NOW_MS - rng.randint(60_000, 3_600_000)
        while len(plays) < count:
            source = rng.random()
            length = rng.randint(4, 40)
            if source < 0.45 and playlists:
                playlist = rng.choice(playlists)
                tracks = (e.ref for e in playlist.entries if e.kind == TRACK)
                refs = list(itertools.islice(tracks, 400)) or liked
                session, context = [rng.choice(refs) for _ in range(length)], ("playlist", playlist.id)
            elif source < 0.7:
                album = self.albums[self.tracks[rng.choice(liked)].album]
                session = list(range(album.first_track, album.first_track + album.total_tracks))
                context = ("album", album.id)
            else:
                session, context = [rng.choice(liked) for _ in range(length)], None
            for ref in reversed(session):
                plays.append(Play(ref, at, context))
                at -= self.tracks[ref].duration_ms + rng.randint(0, 4000)
            at -= int(rng.expovariate(1 / (14 * 3_600_000)))
        return tuple(plays[:count])

    def _top_tracks(self, *, history: tuple[Play, ...], liked: list[int]) -> dict[str, tuple[int, ...]]:
        tops = {}
        for time_range, days in (("short_term", 28), ("medium_term", 183), ("long_term", None)):
            cutoff = self.now_ms - days * DAY_MS if days else 0
            counts = Counter(p.track for p in history if p.played_at_ms >= cutoff)
            if days is None:
                counts.update({ref: 2 for ref in liked})
            tops[time_range] = tuple(
                ref for ref, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
            )
        return tops

    def _top_artists(self, *, history: tuple[Play, ...]) -> dict[str, tuple[int, ...]]:
        tops = {}
        for time_range, days in (("short_term", 28), ("medium_term", 183), ("long_term", 3650)):
            cutoff = self.now_ms - days * DAY_MS
            counts = Counter(self.tracks[p.track].artists[0] for p in history if p.played_at_ms >= cutoff)
            tops[time_range] = tuple(
                ref for ref, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
            )
        return tops

    def _taste(self, families: list[str]) -> dict[str, float]:
        favourites = self.rng.sample(families, k=4)
        return {family: (6.0 if family in favourites else 0.6) for family in families}

    def _scaled(self, size: int) -> int:
        return max(3, round(size * min(1.0, max(self.scale, 0.2))))


def long_tail_sizes(*, rng: random.Random, count: int, total: int) -> list[int]:
    """Playlist sizes that sum to exactly `total`: three giants, then a log-normal tail.

    The giants hold fixed shares so "a few over 1,000" holds for every seed; the
    tail puts about 40 % of the playlists under 50 items.
    """
    # Small scales get no giants and a floor of one item, so the total stays exact.
    giants = [round(share * total) for share in (0.15, 0.11, 0.09)] if total >= 10 * count else []
    rest = count - len(giants)
    normal = statistics.NormalDist()
    raw = [math.exp(1.15 * normal.inv_cdf((i + 0.5) / rest)) * rng.uniform(0.85, 1.15) for i in range(rest)]
    rest_total = total - sum(giants)
    floor = 2 if rest_total >= 2 * rest else 1
    factor = max(0.0, rest_total - floor * rest) / sum(raw)
    sizes = [floor + int(r * factor) for r in raw]
    by_remainder = sorted(range(rest), key=lambda i: -((raw[i] * factor) % 1))
    for n in range(rest_total - sum(sizes)):
        sizes[by_remainder[n % rest]] += 1
    sizes += giants
    rng.shuffle(sizes)
    return sizes


def _iso(ms: int) -> str:
    # time.gmtime is twice as fast as datetime here, and the same to the second (ms >= 0).
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))
