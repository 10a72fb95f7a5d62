"""The generated catalog: plain immutable records that refer to each other by index.

Everything here is built once per process and never mutated, so a reset only
has to throw away the mutable layer in `sandbox.state` (cheap, < 1 ms).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

# Entry kinds inside a playlist.
TRACK = "track"
EPISODE = "episode"
LOCAL = "local"
UNAVAILABLE = "unavailable"


@dataclasses.dataclass(frozen=True, slots=True)
class Artist:
    id: str
    name: str
    genres: tuple[str, ...]
    family: str
    popularity: int
    followers: int
    weight: float


@dataclasses.dataclass(frozen=True, slots=True)
class Album:
    id: str
    name: str
    artists: tuple[int, ...]
    album_type: str
    release_date: str
    release_date_precision: str
    first_track: int
    total_tracks: int
    label: str
    popularity: int
    upc: str


@dataclasses.dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str
    album: int
    artists: tuple[int, ...]
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int
    track_number: int
    disc_number: int


@dataclasses.dataclass(frozen=True, slots=True)
class Show:
    id: str
    name: str
    publisher: str
    description: str
    language: str
    explicit: bool
    first_episode: int
    total_episodes: int


@dataclasses.dataclass(frozen=True, slots=True)
class Episode:
    id: str
    name: str
    show: int
    description: str
    duration_ms: int
    release_date: str
    explicit: bool


@dataclasses.dataclass(frozen=True, slots=True)
class LocalFile:
    name: str
    artist: str
    album: str
    duration_ms: int

    @property
    def uri(self) -> str:
        # Spotify's local-file URI: artist, album, title with '+' for spaces, then whole seconds.
        parts = (self.artist, self.album, self.name)
        return ":".join(
            ["spotify", "local", *(p.replace(" ", "+") for p in parts), str(self.duration_ms // 1000)]
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """One row of a playlist. `ref` indexes tracks, episodes or local files by `kind`."""

    kind: str
    ref: int
    added_at: str
    added_by: str


@dataclasses.dataclass(frozen=True, slots=True)
class User:
    id: str
    display_name: str
    signable: bool
    product: str
    country: str
    email: str
    followers: int
    account_id: str


@dataclasses.dataclass(frozen=True, slots=True)
class PlaylistSeed:
    id: str
    owner: str
    name: str
    description: str
    public: bool
    collaborative: bool
    collaborators: frozenset[str]
    followers: int
    entries: tuple[Entry, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Play:
    track: int
    played_at_ms: int
    context: tuple[str, str] | None  # ("playlist", id) or ("album", id)


@dataclasses.dataclass(frozen=True, slots=True)
class UserLibrary:
    """A user's personal data: the playlist list as shown in the client, liked songs, history, tops."""

    playlists: tuple[str, ...]
    liked: tuple[tuple[int, str], ...]  # (track index, added_at), newest first
    plays: tuple[Play, ...]  # newest first
    top_tracks: dict[str, tuple[int, ...]]
    top_artists: dict[str, tuple[int, ...]]


@dataclasses.dataclass(frozen=True, slots=True)
class Catalog:
    seed: int
    scale: float
    now: dt.datetime  # the anchor every dated activity field is relative to
    artists: tuple[Artist, ...]
    albums: tuple[Album, ...]
    tracks: tuple[Track, ...]
    shows: tuple[Show, ...]
    episodes: tuple[Episode, ...]
    local_files: tuple[LocalFile, ...]
    users: dict[str, User]
    playlists: dict[str, PlaylistSeed]
    libraries: dict[str, UserLibrary]
    track_index: dict[str, int]
    artist_index: dict[str, int]
    album_index: dict[str, int]
    episode_index: dict[str, int]
    genres: dict[str, tuple[str, ...]]
    generation_ms: float
