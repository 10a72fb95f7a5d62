"""The cached metadata fetcher: the catalog facts a route's filters need beyond the mirror.

Playlist items carry simplified artists, without genres; the filters on genres need the
full artist objects. Three places can answer, cheapest first:

1. the mirror: an Artist whose genres were fetched within ARTIST_TTL needs no request;
2. Django's cache, under versioned keys (bump CACHE_VERSION when the cached shape changes);
3. Spotify: `GET /artists?ids=` (up to 50) in Extended mode, `GET /artists/{id}` one by
   one in Development mode, where the batch endpoint answers 403.

What Spotify answered is cached and written back to the mirror in one bulk statement,
so the next run finds it in step 1. The cache is an optimisation only: any exception
from its backend counts as a miss and the fetcher goes on to Spotify.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from library.models import Artist
from routing.filters import EXTENDED
from spotify import api
from spotify.client import SpotifyClient
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


@dataclass
class CacheCounters:
    hits: int = 0
    misses: int = 0
    mirror: int = 0  # answered by the mirror, never reaching the cache
    errors: int = 0  # cache backend failures (each also counted as misses)

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
        }


class MetadataFetcher:
    """Artist metadata for one run; call it outside any transaction (it may call Spotify)."""

    def __init__(self, *, client: SpotifyClient, mode: str) -> None:
        self.client = client
        self.mode = mode
        self.counters = CacheCounters()

    def artists(self, *, artist_ids: Iterable[str]) -> dict[str, ArtistMeta]:
        """Genres (and popularity, Extended mode) of every artist in `artist_ids` Spotify knows."""
        wanted = list(dict.fromkeys(artist_ids))
        found: dict[str, ArtistMeta] = {}
        fresh_after = timezone.now() - ARTIST_TTL
        for artist in Artist.objects.filter(spotify_id__in=wanted, genres_fetched_at__gte=fresh_after):
            found[artist.spotify_id] = ArtistMeta(genres=tuple(artist.genres), popularity=artist.popularity)
        self.counters.mirror += len(found)

        missing = [artist_id for artist_id in wanted if artist_id not in found]
        cached = self._cache_get({cache_key("artist", artist_id): artist_id for artist_id in missing})
        found.update(cached)
        self.counters.hits += len(cached)
        # Into the mirror too, so the next run needs neither the cache nor Spotify for them.
        self._write_back({artist_id: meta for artist_id, meta in cached.items() if meta.fetched_at})
        to_fetch = [artist_id for artist_id in missing if artist_id not in cached]
        self.counters.misses += len(to_fetch)
        if not to_fetch:
            return found

        fetched = self._fetch_artists(to_fetch)
        fetched_at = timezone.now()
        fetched = {artist_id: replace(meta, fetched_at=fetched_at) for artist_id, meta in fetched.items()}
        found.update(fetched)
        self._cache_set(
            {cache_key("artist", artist_id): _dump(meta) for artist_id, meta in fetched.items()}, ARTIST_TTL
        )
        self._write_back(fetched)
        return found

    # --- Spotify -------------------------------------------------------------------------------
    def _fetch_artists(self, artist_ids: list[str]) -> dict[str, ArtistMeta]:
        objects: list[dict[str, Any] | None] = []
        if self.mode == EXTENDED:
            for start in range(0, len(artist_ids), ARTISTS_PER_BATCH):
                batch = artist_ids[start : start + ARTISTS_PER_BATCH]
                objects.extend(api.artists(client=self.client, artist_ids=batch))
        else:
            # Development-mode apps get 403 on the batch endpoint (February 2026).
            objects.extend(api.artist(client=self.client, artist_id=artist_id) for artist_id in artist_ids)
        extended = self.mode == EXTENDED
        # A batch answers null for an id it does not know.
        records = [artist_record(obj) for obj in objects if obj and obj.get("id")]
        return {
            record.spotify_id: ArtistMeta(
                genres=tuple(str(genre).lower() for genre in record.genres or ()),
                popularity=record.popularity if extended else None,
            )
            for record in records
        }

    def _write_back(self, fetched: dict[str, ArtistMeta]) -> None:
        if not fetched:
            return
        now = timezone.now()
        rows = [
            Artist(
                spotify_id=artist_id,
                genres=list(meta.genres),
                genres_fetched_at=meta.fetched_at or now,
                popularity=meta.popularity,
                updated_at=now,
            )
            for artist_id, meta in fetched.items()
        ]
        fields = ["genres", "genres_fetched_at", "updated_at"]
        if self.mode == EXTENDED:
            fields.append("popularity")  # Development mode sends none: keep what we had
        # Only rows the mirror has: an artist is catalogued by the import, never here.
        existing = set(
            Artist.objects.filter(spotify_id__in=list(fetched)).values_list("spotify_id", flat=True)
        )
        rows = [row for row in rows if row.spotify_id in existing]
        with transaction.atomic():
            Artist.objects.bulk_update(rows, fields, batch_size=500)

    # --- the cache: every failure is a miss ----------------------------------------------------
    def _cache_get(self, keys: dict[str, str]) -> dict[str, ArtistMeta]:
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

    def _cache_set(self, values: dict[str, Any], ttl: timedelta) -> None:
        if not values:
            return
        try:
            cache.set_many(values, timeout=int(ttl.total_seconds()))
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
    return {"genres": list(meta.genres), "popularity": meta.popularity, "fetched_at": fetched_at}


def _load(value: Any) -> ArtistMeta | None:
    if not isinstance(value, dict) or not isinstance(value.get("genres"), list):
        return None
    fetched_at = None
    if isinstance(value.get("fetched_at"), str):
        try:
            fetched_at = datetime.fromisoformat(value["fetched_at"])
        except ValueError:
            fetched_at = None
    return ArtistMeta(genres=tuple(value["genres"]), popularity=value.get("popularity"), fetched_at=fetched_at)
