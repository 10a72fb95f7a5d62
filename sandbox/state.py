"""All mutable sandbox state behind one lock; `reset()` returns it to the seed in well under a millisecond."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

from sandbox.catalog import Catalog
from sandbox.catalog.library import Pools
from sandbox.catalog.listeners import Listener
from sandbox.catalog.models import EPISODE, LOCAL, TRACK, UNAVAILABLE, Entry, Play, User, UserLibrary
from sandbox.config import RuntimeConfig, StartupOptions
from sandbox.errors import bad_request
from sandbox.ids import derive_id, parse_uri
from sandbox.listening import LiveListening
from sandbox.playlists import PlaylistState
from sandbox.tokens import TokenStore
from sandbox.traffic import Counters, FaultBook, QuotaMeter, RateLimiter

MAX_VIOLATIONS = 500


class SandboxState:
    def __init__(
        self, *, catalog: Catalog, options: StartupOptions, clock_offset: dt.timedelta = dt.timedelta(0)
    ) -> None:
        self.lock = threading.RLock()
        self.catalog = catalog
        self.options = options
        # The sandbox's clock runs from the catalog's anchor: with `--now` a year ahead, a
        # playlist edit or a new play lands a year ahead too, after the generated history.
        self.clock_offset = clock_offset
        self.tokens = TokenStore()
        self.faults = FaultBook()
        self.limiter = RateLimiter()
        self.quota = QuotaMeter()
        self.counters = Counters()
        # Violations survive resets on purpose: the test session checks them once, at the end.
        self.violations: list[dict[str, Any]] = []
        # Never reset either, so no two edit histories can share a snapshot id.
        self._salt = itertools.count(1)
        self._pools: Pools | None = None
        self.live = LiveListening()
        self.reset()

    def reset(self) -> float:
        started = time.perf_counter()
        with self.lock:
            self.config = RuntimeConfig.from_options(self.options)
            self.playlists = {pid: PlaylistState(seed=seed) for pid, seed in self.catalog.playlists.items()}
            # Users and their personal data: the seeded ones plus listeners created at run time
            # (POST /_sandbox/users), which a reset removes.
            self.users: dict[str, User] = dict(self.catalog.users)
            self.personal: dict[str, UserLibrary] = dict(self.catalog.libraries)
            self.listeners: dict[str, dict[str, Any]] = {}
            self.libraries = {user: list(lib.playlists) for user, lib in self.catalog.libraries.items()}
            # Play history, newest first: the generated one, plus what /_sandbox/users/{id}/plays adds.
            self.plays: dict[str, list[Play]] = {
                user: list(lib.plays) for user, lib in self.catalog.libraries.items()
            }
            self.created = 0
            self.live.clear()
            self.tokens.clear()
            self.faults.clear()
            self.limiter.clear()
            self.quota.clear()
            self.counters.clear()
        return (time.perf_counter() - started) * 1000

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.clock_offset

    def now_iso(self) -> str:
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def catch_up(self, user_id: str) -> None:
        """With live listening on, `user_id`'s plays up to the sandbox's clock (sandbox.listening).
        Call it with the lock held, before reading their plays."""
        if self.config.live_listening:
            self.live.catch_up(self, user_id, now_ms=int(self.now().timestamp() * 1000))

    def next_salt(self) -> int:
        return next(self._salt)

    @property
    def signable_users(self) -> set[str]:
        return {user.id for user in self.users.values() if user.signable}

    @property
    def pools(self) -> Pools:
        """The catalog's weighted track pools, built once per process for created listeners."""
        if self._pools is None:
            self._pools = Pools(artists=self.catalog.artists, tracks=self.catalog.tracks)
        return self._pools

    def add_listener(self, listener: Listener, *, summary: dict[str, Any]) -> None:
        user_id = listener.user.id
        self.users[user_id] = listener.user
        self.personal[user_id] = listener.library
        for seed in listener.playlists:
            self.playlists[seed.id] = PlaylistState(seed=seed)
        self.libraries[user_id] = list(listener.library.playlists)
        self.plays[user_id] = list(listener.library.plays)
        self.listeners[user_id] = summary

    def playlist(self, playlist_id: str) -> PlaylistState | None:
        playlist = self.playlists.get(playlist_id)
        return None if playlist is None or playlist.deleted else playlist

    def create_playlist(
        self, *, owner: str, name: str, description: str, public: bool, collaborative: bool
    ) -> PlaylistState:
        self.created += 1
        playlist = PlaylistState(
            id=derive_id(seed=self.catalog.seed, kind="created-playlist", ordinal=self.created),
            owner=owner,
            name=name,
            description=description,
            public=public,
            collaborative=collaborative,
            collaborators=frozenset(),
            followers=0,
            entries=[],
            version=1,
        )
        self.playlists[playlist.id] = playlist
        # New playlists show up first in the owner's list, as in the Spotify clients.
        self.libraries.setdefault(owner, []).insert(0, playlist.id)
        return playlist

    def delete_playlist(self, playlist: PlaylistState) -> None:
        playlist.deleted = True
        for playlist_ids in self.libraries.values():
            if playlist.id in playlist_ids:
                playlist_ids.remove(playlist.id)

    def record_violation(self, violation: dict[str, Any]) -> None:
        with self.lock:
            if len(self.violations) < MAX_VIOLATIONS:
                self.violations.append(violation)

    # --- URIs ----------------------------------------------------------------
    def resolve_uris(self, uris: list[Any]) -> list[tuple[str, int]]:
        """(kind, index) for each track or episode URI; a 400 like Spotify's for anything else."""
        resolved = []
        for uri in uris:
            parsed = parse_uri(uri) if isinstance(uri, str) else None
            if parsed is None:
                raise bad_request(f"Invalid track uri: {uri}")
            kind, spotify_id = parsed
            index = (self.catalog.track_index if kind == "track" else self.catalog.episode_index).get(
                spotify_id
            )
            if index is None:
                raise bad_request("Payload contains a non-existing ID")
            resolved.append((TRACK if kind == "track" else EPISODE, index))
        return resolved

    def uri_of(self, entry: Entry) -> str | None:
        catalog = self.catalog
        if entry.kind in {TRACK, UNAVAILABLE}:
            return f"spotify:track:{catalog.tracks[entry.ref].id}"
        if entry.kind == EPISODE:
            return f"spotify:episode:{catalog.episodes[entry.ref].id}"
        if entry.kind == LOCAL:
            return catalog.local_files[entry.ref].uri
        return None
