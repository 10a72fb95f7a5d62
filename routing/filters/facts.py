"""What a filter sees of a track: plain, in-memory facts, loaded before any filter runs.

Filters never query the database or Spotify. The route service loads one TrackFacts per
item of the base playlist, enriching only the metadata the children's filters need
(`needed_metadata`), and the filters evaluate against these objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

# The Spotify app's Web API surface (settings.SPOTIFY_APP_MODE).
DEVELOPMENT = "development"
EXTENDED = "extended"
ALL_MODES: frozenset[str] = frozenset({DEVELOPMENT, EXTENDED})


class Metadata:
    """Names of the metadata a field can need beyond the core facts.

    The core facts (track id, name, credited artists' ids and names, duration, explicit)
    come with every mirrored track and are always loaded. These others cost the route
    service something (a lookup of full artist objects, a join, a mode that may not have
    them), so it loads them only when a filter declares it needs them.
    """

    ARTIST_GENRES = "artist_genres"  # ArtistFacts.genres (full artist objects, fetched separately)
    RELEASE_YEAR = "release_year"  # TrackFacts.release_year (the album)
    POPULARITY = "popularity"  # TrackFacts.popularity (Extended mode only)
    ADDED_AT = "added_at"  # TrackFacts.added_at (the base playlist's item)
    # TrackFacts.extras["song_analysis"]: the track's analysis as a dict, None if it has none
    SONG_ANALYSIS = "song_analysis"
    # TrackFacts.extras["plays"]: how often the base's listener played the track (0: never)
    PLAYS = "plays"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ArtistFacts:
    spotify_id: str
    name: str
    # Lower-case genre labels as Spotify sends them; empty when unknown or not loaded.
    genres: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TrackFacts:
    """One item of a base playlist, as the filters see it.

    ``extras`` is the extension point for metadata that later fields need (an LLM
    analysis, a content rating): the route service puts it under the metadata name the
    field declares in ``needs``, and the field reads it from there, so a new field does
    not change this class.
    """

    track_id: str
    name: str
    artists: tuple[ArtistFacts, ...] = ()
    release_year: int | None = None
    duration_ms: int = 0
    explicit: bool = False
    popularity: int | None = None  # None: not known (Development-mode apps get none)
    added_at: datetime | None = None  # when it was added to the base; None: Spotify did not say
    extras: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def artist_ids(self) -> tuple[str, ...]:
        return tuple(artist.spotify_id for artist in self.artists)

    @property
    def artist_names(self) -> tuple[str, ...]:
        return tuple(artist.name for artist in self.artists)
