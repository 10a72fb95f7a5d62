"""Live listening: with `live_listening` on, a listener goes on listening while the sandbox runs.

The generated history ends a day before the anchor (sandbox.catalog.library); a sandbox left
running for days, like the demo's, would otherwise serve a listener who stopped then. Live
listening adds the plays the listener made since their newest play, up to the sandbox's clock,
each time their plays are read (`catch_up`): sessions like the generated ones (a playlist of
theirs, an album of a liked song, or liked songs on shuffle), one to eight hours apart, so the
newest play is never much older than that.

- Deterministic: the sessions after a newest play are drawn from a generator seeded by the catalog
  seed, the user and that play's time, so the same state read at the same moment gives the same
  plays, and a reset followed by the same reads gives them again.
- Plays added with `POST /_sandbox/users/{id}/plays` go on top as always; live listening then
  carries on after the newest of them.
- Off by default: tests drive a listener's plays themselves and need a history that only
  changes when they add to it. The demo switches it on (`--live-listening`).
- Listeners without any play (a new account) do not start listening.
"""

from __future__ import annotations

import dataclasses
import random
from typing import TYPE_CHECKING

from sandbox.catalog.models import TRACK, Play

if TYPE_CHECKING:
    from sandbox.state import SandboxState

HOUR_MS = 3_600_000
# Between sessions: a bounded gap, so every few hours of the clock hold plays (about four
# sessions a day), which the product's "last 4 weeks" and a test can count on.
SESSION_GAP_MS = (1 * HOUR_MS, 8 * HOUR_MS)
# A sandbox left running for months adds at most this much history in one read.
MAX_CATCH_UP_MS = 60 * 24 * HOUR_MS
PLAYLIST_SAMPLE = 400  # tracks of a playlist a session picks from, as the generated history does


@dataclasses.dataclass(slots=True)
class Listening:
    """Where one listener's live listening has got to."""

    after_ms: int  # the newest play it started after
    rng: random.Random
    next_ms: int  # when the next play happens
    session: list[tuple[int, tuple[str, str] | None]]  # the current session's remaining tracks


class LiveListening:
    def __init__(self) -> None:
        self.listeners: dict[str, Listening] = {}

    def clear(self) -> None:
        self.listeners.clear()

    def catch_up(self, state: SandboxState, user_id: str, *, now_ms: int) -> int:
        """Add `user_id`'s plays up to `now_ms` on top of their history; how many. Call it with
        state.lock held."""
        plays = state.plays.get(user_id)
        if not plays:
            return 0
        newest = plays[0].played_at_ms
        listening = self.listeners.get(user_id)
        if listening is None or newest >= listening.next_ms:
            # First read, or plays were added past where listening had got to: go on after them.
            listening = self.listeners[user_id] = self._start(state, user_id, after_ms=newest)
        if listening.next_ms < now_ms - MAX_CATCH_UP_MS:
            listening.next_ms = now_ms - MAX_CATCH_UP_MS
        added: list[Play] = []
        tracks = state.catalog.tracks
        while listening.next_ms <= now_ms:
            if not listening.session:
                listening.session = self._session(state, user_id, listening.rng)
                if not listening.session:
                    break
            ref, context = listening.session.pop()
            added.append(Play(ref, listening.next_ms, context))
            listening.next_ms += tracks[ref].duration_ms + listening.rng.randint(0, 4000)
            if not listening.session:
                listening.next_ms += listening.rng.randint(*SESSION_GAP_MS)
        if added:
            state.plays[user_id] = added[::-1] + plays
        return len(added)

    def _start(self, state: SandboxState, user_id: str, *, after_ms: int) -> Listening:
        rng = random.Random(f"live:{state.catalog.seed}:{user_id}:{after_ms}")
        first = after_ms + rng.randint(*SESSION_GAP_MS)
        return Listening(after_ms=after_ms, rng=rng, next_ms=first, session=[])

    def _session(
        self, state: SandboxState, user_id: str, rng: random.Random
    ) -> list[tuple[int, tuple[str, str] | None]]:
        """One session's tracks, last first (they are popped)."""
        liked = [ref for ref, _ in state.personal[user_id].liked]
        playlists = [
            state.playlists[pid] for pid in state.libraries.get(user_id, []) if pid in state.playlists
        ]
        playlists = [p for p in playlists if not p.deleted and p.owner == user_id]
        source = rng.random()
        length = rng.randint(4, 40)
        if source < 0.45 and playlists:
            playlist = rng.choice(playlists)
            refs = [e.ref for e in playlist.entries[:PLAYLIST_SAMPLE] if e.kind == TRACK]
            if refs:
                return [(rng.choice(refs), ("playlist", playlist.id)) for _ in range(length)]
        catalog = state.catalog
        if source < 0.7 and liked:
            album = catalog.albums[catalog.tracks[rng.choice(liked)].album]
            refs = list(range(album.first_track, album.first_track + album.total_tracks))
            return [(ref, ("album", album.id)) for ref in reversed(refs)]
        pool = liked or [play.track for play in state.plays[user_id][:200]]
        return [(rng.choice(pool), None) for _ in range(length)]
