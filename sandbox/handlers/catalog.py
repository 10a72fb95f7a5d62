"""Catalog lookups: tracks, artists, albums (single and batch) and audio features."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from sandbox.errors import bad_request, not_found
from sandbox.ids import is_spotify_id
from sandbox.paging import paging, parse_ids, parse_limit, parse_offset
from sandbox.web import Ctx, Result

# Rough per-family character, so audio features look plausible for routing by mood.
FAMILY_FEEL = {
    "electronic": (0.75, 0.78, 124),
    "hip hop": (0.78, 0.66, 96),
    "pop": (0.68, 0.66, 118),
    "rock": (0.5, 0.75, 128),
    "metal": (0.4, 0.92, 138),
    "jazz": (0.55, 0.4, 110),
    "classical": (0.3, 0.2, 96),
    "latin": (0.76, 0.72, 104),
    "r&b": (0.66, 0.55, 98),
    "folk & country": (0.52, 0.45, 112),
    "world": (0.7, 0.62, 108),
    "blues": (0.5, 0.5, 100),
}


def get_track(ctx: Ctx, *, track_id: str) -> Result:
    return Result(200, ctx.render.track_full(_index(ctx.state.catalog.track_index, track_id)))


def get_tracks(ctx: Ctx) -> Result:
    return Result(
        200, {"tracks": _batch(ctx, ctx.state.catalog.track_index, ctx.render.track_full, maximum=50)}
    )


def get_artist(ctx: Ctx, *, artist_id: str) -> Result:
    return Result(200, ctx.render.artist_full(_index(ctx.state.catalog.artist_index, artist_id)))


def get_artists(ctx: Ctx) -> Result:
    return Result(
        200, {"artists": _batch(ctx, ctx.state.catalog.artist_index, ctx.render.artist_full, maximum=50)}
    )


def get_album(ctx: Ctx, *, album_id: str) -> Result:
    return Result(200, _album(ctx, _index(ctx.state.catalog.album_index, album_id)))


def get_albums(ctx: Ctx) -> Result:
    return Result(
        200, {"albums": _batch(ctx, ctx.state.catalog.album_index, lambda i: _album(ctx, i), maximum=20)}
    )


def get_album_tracks(ctx: Ctx, *, album_id: str) -> Result:
    index = _index(ctx.state.catalog.album_index, album_id)
    limit, offset = parse_limit(ctx.args), parse_offset(ctx.args)
    return Result(200, _album_tracks(ctx, index, url=ctx.url(), offset=offset, limit=limit))


def get_audio_features(ctx: Ctx, *, track_id: str) -> Result:
    return Result(200, _features(ctx, _index(ctx.state.catalog.track_index, track_id)))


def get_several_audio_features(ctx: Ctx) -> Result:
    features = _batch(ctx, ctx.state.catalog.track_index, lambda i: _features(ctx, i), maximum=100)
    return Result(200, {"audio_features": features})


def _album(ctx: Ctx, index: int) -> dict[str, Any]:
    url = f"{ctx.api}/albums/{ctx.state.catalog.albums[index].id}/tracks"
    return ctx.render.album_full(index, tracks_page=_album_tracks(ctx, index, url=url, offset=0, limit=50))


def _album_tracks(ctx: Ctx, index: int, *, url: str, offset: int, limit: int) -> dict[str, Any]:
    album = ctx.state.catalog.albums[index]
    refs = range(album.first_track, album.first_track + album.total_tracks)
    items = [ctx.render.track_simple(ref) for ref in refs[offset : offset + limit]]
    return paging(url=url, items=items, total=album.total_tracks, offset=offset, limit=limit)


def _features(ctx: Ctx, index: int) -> dict[str, Any]:
    catalog = ctx.state.catalog
    track = catalog.tracks[index]
    family = catalog.artists[track.artists[0]].family
    dance, energy, tempo = FAMILY_FEEL.get(family, (0.6, 0.6, 115))
    # Seeded by the track id: the same track always has the same features.
    rng = random.Random(track.id)

    def near(value: float, spread: float = 0.15) -> float:
        return round(min(1.0, max(0.0, rng.gauss(value, spread))), 3)

    return {
        "acousticness": near(1 - energy),
        "analysis_url": f"{ctx.api}/audio-analysis/{track.id}",
        "danceability": near(dance),
        "duration_ms": track.duration_ms,
        "energy": near(energy),
        "id": track.id,
        "instrumentalness": near(0.6 if family in {"electronic", "classical", "jazz"} else 0.05, 0.2),
        "key": rng.randint(-1, 11),
        "liveness": near(0.15, 0.1),
        "loudness": round(rng.uniform(-16, -3), 3),
        "mode": rng.randint(0, 1),
        "speechiness": near(0.2 if family == "hip hop" else 0.05, 0.05),
        "tempo": round(rng.gauss(tempo, 14), 3),
        "time_signature": rng.choice((3, 4, 4, 4, 4, 5)),
        "track_href": f"{ctx.api}/tracks/{track.id}",
        "type": "audio_features",
        "uri": f"spotify:track:{track.id}",
        "valence": near(0.5, 0.22),
    }


def _index(index: dict[str, int], spotify_id: str) -> int:
    if not is_spotify_id(spotify_id):
        raise bad_request("Invalid base62 id")
    if spotify_id not in index:
        raise not_found()
    return index[spotify_id]


def _batch(ctx: Ctx, index: dict[str, int], render: Callable[[int], Any], *, maximum: int) -> list[Any]:
    ids = parse_ids(ctx.args, maximum=maximum)
    if not all(is_spotify_id(spotify_id) for spotify_id in ids):
        raise bad_request("Invalid base62 id")
    # Unknown ids come back as null in their position, as on Spotify.
    return [render(index[spotify_id]) if spotify_id in index else None for spotify_id in ids]
