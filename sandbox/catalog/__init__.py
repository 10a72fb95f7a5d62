"""The deterministic catalog: `build_catalog(seed=..., scale=..., now=...)` gives the same data for the
same input, and another `now` gives the same data with every dated activity field shifted by the
difference (see `sandbox.catalog.music.CATALOG_EPOCH` for the dates that stay put)."""

from __future__ import annotations

import datetime as dt
import random
import time

from sandbox.catalog import taxonomy
from sandbox.catalog.library import LibraryBuilder
from sandbox.catalog.models import Catalog
from sandbox.catalog.music import build_albums_and_tracks, build_artists, build_shows

__all__ = ["Catalog", "build_catalog", "current_anchor"]


def current_anchor() -> dt.datetime:
    """The wall clock's now, to the second: the default anchor, so a sandbox started today
    serves a listener who was active until today."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def build_catalog(*, seed: int, scale: float = 1.0, now: dt.datetime | None = None) -> Catalog:
    started = time.perf_counter()
    now = current_anchor() if now is None else now
    if now.tzinfo is None:
        raise ValueError("The catalog's now needs a time zone.")
    # One private generator: nothing here may touch the global `random` state.
    rng = random.Random(seed)
    artists = build_artists(rng=rng, seed=seed, count=max(40, round(3000 * scale)))
    albums, tracks = build_albums_and_tracks(rng=rng, seed=seed, artists=artists)
    shows, episodes = build_shows(rng=rng, seed=seed, now=now)
    builder = LibraryBuilder(
        rng=rng,
        seed=seed,
        scale=scale,
        now=now,
        artists=artists,
        albums=albums,
        tracks=tracks,
        episodes=episodes,
    )
    users, playlists, libraries, local_files = builder.build()
    return Catalog(
        seed=seed,
        scale=scale,
        now=now,
        artists=tuple(artists),
        albums=tuple(albums),
        tracks=tuple(tracks),
        shows=tuple(shows),
        episodes=tuple(episodes),
        local_files=tuple(local_files),
        users=users,
        playlists=playlists,
        libraries=libraries,
        track_index={t.id: i for i, t in enumerate(tracks)},
        artist_index={a.id: i for i, a in enumerate(artists)},
        album_index={a.id: i for i, a in enumerate(albums)},
        episode_index={e.id: i for i, e in enumerate(episodes)},
        genres={family.name: family.genres for family in taxonomy.FAMILIES},
        generation_ms=round((time.perf_counter() - started) * 1000, 1),
    )
