"""Builders for the filter tests: TrackFacts and filter documents with sensible defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from routing.filters import ArtistFacts, TrackFacts

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def artist(spotify_id: str = "artistA", name: str = "Some Band", genres: tuple[str, ...] = ()) -> ArtistFacts:
    return ArtistFacts(spotify_id=spotify_id, name=name, genres=tuple(genres))


def track(track_id: str = "track1", **overrides: Any) -> TrackFacts:
    values: dict[str, Any] = {
        "name": "A Song",
        "artists": (artist(),),
        "release_year": 1999,
        "duration_ms": 200_000,
        "explicit": False,
        "popularity": None,
        "added_at": None,
    }
    values.update(overrides)
    return TrackFacts(track_id=track_id, **values)


def cond(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def doc(*conditions: dict[str, Any], match: str = "all") -> dict[str, Any]:
    return {"match": match, "conditions": list(conditions)}
