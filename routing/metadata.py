"""The artist metadata a route's filters need beyond the mirror: genres (and, in Extended mode,
popularity) of every credited artist.

Playlist items carry simplified artists, without genres; the genre filter needs the full
artist objects. Three places can answer, cheapest first:

1. the mirror: an Artist whose last lookup (genres_fetched_at) is within ARTIST_TTL;
2. Django's cache, under versioned keys (bump CACHE_VERSION when the cached shape changes);
3. Spotify: `GET /artists?ids=` (up to 50) in Extended mode, `GET /artists/{id}` one by
   one in Development mode, where the batch endpoint answers 403.

Spotify's answers are kept as they arrive, written to the mirror and the cache after each
request rather than at the end, because a lookup of a big base can stop part-way: Spotify's
quota postpones it, a warm-up's time slice ends, a worker dies. What was fetched stays
fetched, so the next lookup (the postponed route resumed, the next warm-up) asks Spotify only
for the artists still unknown. An artist Spotify does not know (404, or null in a batch) is an
answer too: kept as unknown to Spotify and counted, never a failure of the lookup.

`known()` reads only the mirror and the cache, whatever their age (the live preview, which
never calls Spotify); `look_up()` goes on to Spotify. The cache is an optimisation only: any
exception from its backend counts as a miss.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from library.models import Artist
from routing.filters import EXTENDED
from spotify import api
from spotify.client import SpotifyClient
from spotify.errors import SpotifyRefused
from spotify.parsing import artist_record

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
# How long each kind of Spotify object is trusted, in the cache and (artists) in the mirror.
# Tracks and albums are not fetched by the route (the imported mirror has every track and
# album field the filters read); their TTLs live here so a future fetcher uses the same policy.
TRACK_TTL = timedelta(hours=24)
ARTIST_TTL = timedelta(days=7)
ALBUM_TTL = timedelta(days=7)
PLAYLIST_ITEMS_TTL = timedelta(minutes=5)
ARTISTS_PER_BATCH = 50  # Spotify's maximum for GET /artists?ids=


def cache_key(kind: str, spotify_id: str) -> str:
    return f"meta:v{CACHE_VERSION}:{kind}:{spotify_id}"


@dataclass(frozen=True, slots=True)
class ArtistMeta:
    genres: tuple[str, ...]
    popularity: int | None = None
    # When Spotify said it: written back with the row, so the mirror's TTL counts from
    # Spotify's answer, not from the moment the cache passed it on.
    fetched_at: datetime | None = None
    unknown: bool = False  # Spotify answered that it has no such artist


@dataclass(frozen=True)
class ArtistLookup:
    """What is known of some artists: an answer per id, and the ids that have none yet."""

    found: dict[str, ArtistMeta]
    # No answer anywhere: `known()` does not ask Spotify, and `look_up()` leaves here what its
    # deadline cut off.
    pending: tuple[str, ...] = ()

    @property
    def unknown(self) -> int:
        """Artists Spotify said it does not know."""
        return sum(1 for meta in self.found.values() if meta.unknown)


@dataclass
class CacheCounters:
    hits: int = 0
    misses: int = 0
    mirror: int = 0  # answered by the mirror, never reaching the cache
    errors: int = 0  # cache backend failures (each also counted as misses)
    unknown: int = 0  # of the artists wanted, those Spotify does not know (wherever that answer came from)

    @property
    def hit_rate(self) -> float | None:
        asked = self.hits + self.misses
        return round(self.hits / asked, 4) if asked else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "misses": self.misses,
            "mirror": self.mirror,
            "errors": self.errors,
            "hit_rate": self.hit_rate,
            "unknown_to_spotify": self.unknown,
        }


class MetadataFetcher:
    """Artist metadata for one run, preview or warm-up. `client` None: `known()` only.

    Call `look_up()` outside any transaction: it calls Spotify, and each answer it keeps is
    committed on its own, so an interruption loses nothing already fetched.
    """

    def __init__(self, *, client: SpotifyClient | None, mode: str) -> None:
        self.client = client
        self.mode = mode
        self.counters = CacheCounters()

    def known(self, *, artist_ids: Iterable[str]) -> ArtistLookup:
        """Every answer the mirror or the cache holds, however old; asks and writes nothing."""
        wanted = list(dict.fromkeys(artist_ids))
        found = self._from_mirror(wanted, fresh_after=None)
        self.counters.mirror += len(found)
        missing = [artist_id for artist_id in wanted if artist_id not in found]
        cached = self._from_cache(missing)
        found.update(cached)
        pending = tuple(artist_id for artist_id in missing if artist_id not in cached)
        self.counters.hits += len(cached)
        self.counters.misses += len(pending)
        return self._counted(ArtistLookup(found=found, pending=pending))

    def look_up(self, *, artist_ids: Iterable[str], deadline: float | None = None) -> ArtistLookup:
        """Genres (and popularity, Extended mode) of every artist in `artist_ids`: fresh answers
        from the mirror or the cache, the rest from Spotify, each kept as it arrives.

        `deadline` (a time.monotonic() value): ask nothing more once it has passed, and leave
        the rest in `pending`. Raises what the client raises; SpotifyRateLimited (a pause)
        leaves every answer before it kept.
        """
        if self.client is None:
            raise RuntimeError("a fetcher without a Spotify client can only tell what is known")
        wanted = list(dict.fromkeys(artist_ids))
        found = self._from_mirror(wanted, fresh_after=timezone.now() - ARTIST_TTL)
        self.counters.mirror += len(found)
        missing = [artist_id for artist_id in wanted if artist_id not in found]
        cached = self._from_cache(missing)
        found.update(cached)
        self.counters.hits += len(cached)
        # Into the mirror too, so the next run needs neither the cache nor Spotify for them.
        self._write_back({artist_id: meta for artist_id, meta in cached.items() if meta.fetched_at})
        to_fetch = [artist_id for artist_id in missing if artist_id not in cached]
        step = ARTISTS_PER_BATCH if self.mode == EXTENDED else 1
        for start in range(0, len(to_fetch), step):
            # At least one request per call, so a lookup always gets somewhere.
            if start and deadline is not None and time.monotonic() >= deadline:
                return self._counted(ArtistLookup(found=found, pending=tuple(to_fetch[start:])))
            answers = self._ask(to_fetch[start : start + step])
            self._keep(answers)
            found.update(answers)
            self.counters.misses += len(answers)  # answered by Spotify, after missing the cache
        return self._counted(ArtistLookup(found=found))

    def _counted(self, lookup: ArtistLookup) -> ArtistLookup:
        self.counters.unknown = lookup.unknown
        return lookup

    # --- Spotify -------------------------------------------------------------------------------
    def _ask(self, artist_ids: list[str]) -> dict[str, ArtistMeta]:
        """One request's answers: one artist in Development mode (the batch endpoint answers 403
        there since February 2026), up to 50 in Extended mode."""
        assert self.client is not None
        if self.mode == EXTENDED:
            # Spotify answers in the order asked, with null for an id it does not know.
            objects = api.artists(client=self.client, artist_ids=artist_ids)
        else:
            (artist_id,) = artist_ids
            try:
                objects = [api.artist(client=self.client, artist_id=artist_id)]
            except SpotifyRefused as exc:
                if exc.status != 404:
                    raise
                objects = [None]  # an artist Spotify no longer has: an answer, not a failure
        fetched_at = timezone.now()
        extended = self.mode == EXTENDED
        answers: dict[str, ArtistMeta] = {}
        for index, artist_id in enumerate(artist_ids):
            obj = objects[index] if index < len(objects) else None
            if not obj or not obj.get("id"):
                answers[artist_id] = ArtistMeta(genres=(), fetched_at=fetched_at, unknown=True)
                continue
            record = artist_record(obj)
            answers[artist_id] = ArtistMeta(
                genres=tuple(str(genre).lower() for genre in record.genres or ()),
                popularity=record.popularity if extended else None,
                fetched_at=fetched_at,
            )
        return answers

    def _keep(self, answers: dict[str, ArtistMeta]) -> None:
        """One request's answers into the mirror and the cache, before the next request."""
        self._write_back(answers)
        self._cache_set({cache_key("artist", artist_id): _dump(meta) for artist_id, meta in answers.items()})

    # --- the mirror ----------------------------------------------------------------------------
    def _from_mirror(self, wanted: list[str], *, fresh_after: datetime | None) -> dict[str, ArtistMeta]:
        rows = Artist.objects.filter(spotify_id__in=wanted, genres_fetched_at__isnull=False)
        if fresh_after is not None:
            rows = rows.filter(genres_fetched_at__gte=fresh_after)
        fields = ("spotify_id", "genres", "popularity", "genres_fetched_at", "unknown_to_spotify")
        return {
            artist_id: ArtistMeta(
                genres=tuple(genres), popularity=popularity, fetched_at=fetched_at, unknown=unknown
            )
            for artist_id, genres, popularity, fetched_at, unknown in rows.values_list(*fields)
        }

    def _write_back(self, fetched: dict[str, ArtistMeta]) -> None:
        if not fetched:
            return
        now = timezone.now()
        # An UPDATE by primary key: an artist the mirror does not hold stays out of it (artists
        # are catalogued by the import, never here). One row a statement, in id order: a
        # multi-row UPDATE locks rows in the order the database finds them, which can be the
        # reverse of an import's upsert (library.services writes in id order), and the two
        # deadlocked on PostgreSQL. In the same order as every catalog writer, neither waits
        # for a row the other holds while holding one it needs.
        with transaction.atomic():
            for artist_id in sorted(fetched):
                meta = fetched[artist_id]
                values = {
                    "genres": list(meta.genres),
                    "genres_fetched_at": meta.fetched_at or now,
                    "unknown_to_spotify": meta.unknown,
                    "updated_at": now,
                }
                if self.mode == EXTENDED:
                    values["popularity"] = meta.popularity  # Development mode sends none: keep ours
                Artist.objects.filter(spotify_id=artist_id).update(**values)

    # --- the cache: every failure is a miss ----------------------------------------------------
    def _from_cache(self, artist_ids: list[str]) -> dict[str, ArtistMeta]:
        keys = {cache_key("artist", artist_id): artist_id for artist_id in artist_ids}
        if not keys:
            return {}
        try:
            values = cache.get_many(list(keys))
        except Exception:
            self.counters.errors += 1
            logger.warning("Metadata cache unavailable for reading; asking Spotify.", exc_info=True)
            return {}
        result: dict[str, ArtistMeta] = {}
        for key, value in values.items():
            meta = _load(value)
            if meta is not None:
                result[keys[key]] = meta
        return result

    def _cache_set(self, values: dict[str, Any]) -> None:
        if not values:
            return
        try:
            cache.set_many(values, timeout=int(ARTIST_TTL.total_seconds()))
        except Exception:
            self.counters.errors += 1
            logger.warning("Metadata cache unavailable for writing; continuing without it.", exc_info=True)


class PlaylistItemsCache:
    """A child playlist's item URIs, cached under its snapshot_id for PLAYLIST_ITEMS_TTL.

    A snapshot_id names one version of a playlist's items, so an entry can only be stale
    in one way: written by us after our own writes while someone else edited the playlist
    in the same instant. The short TTL bounds that; the next run after it reads Spotify
    again and converges. Shares the fetcher's counters; every cache failure is a miss.
    """

    def __init__(self, *, counters: CacheCounters) -> None:
        self.counters = counters

    @staticmethod
    def key(playlist_id: str, snapshot_id: str) -> str:
        return cache_key("playlist-items", f"{playlist_id}:{snapshot_id}")

    def get(self, *, playlist_id: str, snapshot_id: str) -> list[str] | None:
        try:
            value = cache.get(self.key(playlist_id, snapshot_id))
        except Exception:
            self.counters.errors += 1
            logger.warning("Playlist items cache unavailable for reading; asking Spotify.", exc_info=True)
            value = None
        if isinstance(value, list) and all(isinstance(uri, str) for uri in value):
            self.counters.hits += 1
            return value
        self.counters.misses += 1
        return None

    def set(self, *, playlist_id: str, snapshot_id: str, uris: list[str]) -> None:
        try:
            cache.set(self.key(playlist_id, snapshot_id), uris, timeout=int(PLAYLIST_ITEMS_TTL.total_seconds()))
        except Exception:
            self.counters.errors += 1
            logger.warning("Playlist items cache unavailable for writing; continuing without it.", exc_info=True)


def _dump(meta: ArtistMeta) -> dict[str, Any]:
    # Plain data in the cache, so a code change never meets an unpicklable old object.
    fetched_at = meta.fetched_at.isoformat() if meta.fetched_at else None
    return {
        "genres": list(meta.genres),
        "popularity": meta.popularity,
        "fetched_at": fetched_at,
        "unknown": meta.unknown,
    }


def _load(value: Any) -> ArtistMeta | None:
    if not isinstance(value, dict) or not isinstance(value.get("genres"), list):
        return None
    fetched_at = None
    if isinstance(value.get("fetched_at"), str):
        try:
            fetched_at = datetime.fromisoformat(value["fetched_at"])
        except ValueError:
            fetched_at = None
    return ArtistMeta(
        genres=tuple(value["genres"]),
        popularity=value.get("popularity"),
        fetched_at=fetched_at,
        unknown=value.get("unknown") is True,  # absent in entries written before it existed
    )
