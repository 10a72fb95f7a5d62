"""The deterministic catalog: `build_catalog(seed=..., scale=...)` gives the same data for the same input."""

from __future__ import annotations

import random
import time

from sandbox.catalog import taxonomy
from sandbox.catalog.library import LibraryBuilder
from sandbox.catalog.models import Catalog
from sandbox.catalog.music import build_albums_and_tracks, build_artists, build_shows

__all__ = ["Catalog", "build_catalog"]


def build_catalog(*, seed: int, scale: float = 1.0) -> Catalog:
    started = time.perf_counter()
    # One private generator: nothing here may touch the global `random` state.
    rng = random.Random(seed)
    artists = build_artists(rng=rng, seed=seed, count=max(40, round(3000 * scale)))
    albums, tracks = build_albums_and_tracks(rng=rng, seed=seed, artists=artists)
    shows, episodes = build_shows(rng=rng, seed=seed)
    builder = LibraryBuilder(
        rng=rng,
        seed=seed,
        scale=scale,
        artists=artists,
        albums=albums,
        tracks=tracks,
        episodes=episodes,
    )
    users, playlists, libraries, local_files = builder.build()
    return Catalog(
        seed=seed,
        scale=scale,
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
