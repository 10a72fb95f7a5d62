"""The control API's instructions that grow the sandbox's world at run time: plays simulated for a
listener (POST /_sandbox/users/{id}/plays), and listeners made with libraries of the sizes asked
for (POST /_sandbox/users)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from sandbox.catalog.listeners import build_listener
from sandbox.catalog.models import TRACK, Play
from sandbox.errors import ControlError, optional_int
from sandbox.handlers.control_body import Answer, json_object
from sandbox.state import SandboxState

MAX_NEW_PLAYS = 5000
DEFAULT_SPACING_SECONDS = 210  # about one track's length


def add_plays(state: SandboxState, body: Any, *, user_id: str) -> Any:
    """Simulate listening: `count` new plays, `spacing_seconds` apart, the newest at `end`.

    They go on top of the history (newest first), so each must be later than every play
    already there. Tracks cycle through `track_ids`, or by default through the user's liked
    songs and playlist tracks, starting where the history's length says: deterministic.
    """
    if user_id not in state.users:
        raise ControlError(f"Unknown user {user_id!r}.", status=404)
    data = json_object(body, allowed={"count", "end", "spacing_seconds", "track_ids"})
    count = optional_int(data, "count", minimum=1)
    if count is None or count > MAX_NEW_PLAYS:
        raise ControlError(f"count must be an integer from 1 to {MAX_NEW_PLAYS}.")
    spacing = optional_int(data, "spacing_seconds", minimum=1)
    spacing_ms = (DEFAULT_SPACING_SECONDS if spacing is None else spacing) * 1000
    end_ms = _end_ms(data.get("end"), default=state.now())
    state.catch_up(user_id)  # new plays go on top of what the listener played live
    history = state.plays[user_id]
    oldest_new_ms = end_ms - (count - 1) * spacing_ms
    if history and oldest_new_ms <= history[0].played_at_ms:
        newest = _iso_ms(history[0].played_at_ms)
        raise ControlError(
            f"end: the oldest new play would be at {_iso_ms(oldest_new_ms)}, not after the newest "
            f"play ({newest}); give a later end, fewer plays or a shorter spacing."
        )
    pool = _track_pool(state, user_id, data.get("track_ids"))
    first = len(history)
    new = []
    for n in reversed(range(count)):  # newest first, like the history
        ref, context = pool[(first + n) % len(pool)]
        new.append(Play(ref, oldest_new_ms + n * spacing_ms, context))
    state.plays[user_id] = new + history
    return {
        "added": count,
        "plays": [
            {"track_id": state.catalog.tracks[play.track].id, "played_at": _iso_ms(play.played_at_ms)}
            for play in new
        ],
    }


def _end_ms(raw: Any, *, default: dt.datetime) -> int:
    if raw is None:
        return int(default.timestamp() * 1000)
    if not isinstance(raw, str):
        raise ControlError("end must be an ISO-8601 time, like 2026-11-01T12:00:00Z.")
    try:
        end = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ControlError(
            f"end must be an ISO-8601 time, like 2026-11-01T12:00:00Z (got {raw!r})."
        ) from None
    if end.tzinfo is None:
        raise ControlError("end needs a time zone, like 2026-11-01T12:00:00Z.")
    return int(end.timestamp() * 1000)


def _track_pool(
    state: SandboxState, user_id: str, track_ids: Any
) -> list[tuple[int, tuple[str, str] | None]]:
    """(track index, context) pairs to cycle through."""
    if track_ids is not None:
        if not isinstance(track_ids, list) or not track_ids or not all(isinstance(t, str) for t in track_ids):
            raise ControlError("track_ids must be a non-empty list of track ids.")
        unknown = [t for t in track_ids if t not in state.catalog.track_index]
        if unknown:
            raise ControlError(f"Unknown track id(s): {', '.join(unknown[:5])}.")
        return [(state.catalog.track_index[t], None) for t in track_ids]
    pool: dict[int, tuple[str, str] | None] = {}
    for ref, _added_at in state.personal[user_id].liked:
        pool.setdefault(ref, None)
    for playlist_id in state.libraries.get(user_id, []):
        for entry in state.playlists[playlist_id].entries:
            if entry.kind == TRACK:
                pool.setdefault(entry.ref, ("playlist", playlist_id))
    if not pool:
        raise ControlError(f"User {user_id!r} has no tracks to play; give track_ids.")
    return list(pool.items())


def _iso_ms(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# --- listeners created at run time ---------------------------------------------------
LISTENER_ID = re.compile(r"[a-z0-9_]{1,40}")
MAX_LISTENER_PLAYLISTS = 200
MAX_PLAYLIST_SIZE = 10_000
MAX_LISTENER_ITEMS = 200_000
MAX_LISTENER_PLAYS = 100_000
MAX_DISPLAY_NAME = 100
# Every created listener's playlist rows together (~150 bytes a row): a guard for the process.
MAX_CREATED_ITEMS = 3_000_000


def create_user(state: SandboxState, body: Any) -> Any:
    """A listener made at run time: signable, owning playlists of exactly the sizes asked for.

    Built outside the lock (it only reads the immutable catalog), so other requests go on
    while a big library is drawn; checked again and added under it.
    """
    with state.lock:
        request = _listener_request(state, body)
    started = time.perf_counter()
    listener = build_listener(catalog=state.catalog, pools=state.pools, **request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    items = sum(request["sizes"])
    with state.lock:
        _check_listener_room(state, user_id=request["user_id"], items=items)
        summary = {
            "id": listener.user.id,
            "display_name": listener.user.display_name,
            "playlists": list(listener.library.playlists),
            "items": items,
            # Distinct tracks across the playlists: fewer than items only when the catalog is
            # smaller than the library (then tracks repeat across playlists, and inside one only
            # when it alone outgrows the catalog).
            "distinct_tracks": listener.distinct_tracks,
            "catalog_tracks": len(state.catalog.tracks),
            "liked": len(listener.library.liked),
            "plays": len(listener.library.plays),
        }
        state.add_listener(listener, summary=summary)
    return Answer(201, {**summary, "elapsed_ms": round(elapsed_ms, 1)})


def _listener_request(state: SandboxState, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ControlError("Body must be a JSON object: {id, display_name?, playlists, liked?, plays?}.")
    data = json_object(body, allowed={"id", "display_name", "playlists", "liked", "plays"})
    user_id = data.get("id")
    if not isinstance(user_id, str) or not LISTENER_ID.fullmatch(user_id):
        raise ControlError(f"id must match ^[a-z0-9_]{{1,40}}$ (got {user_id!r}).")
    display_name = data.get("display_name")
    if display_name is None:
        display_name = user_id.replace("_", " ").strip().title() or user_id
    elif not isinstance(display_name, str) or not 0 < len(display_name.strip()) <= MAX_DISPLAY_NAME:
        raise ControlError(
            f"display_name must be a non-empty string of at most {MAX_DISPLAY_NAME} characters."
        )
    sizes = data.get("playlists")
    if not isinstance(sizes, list):
        raise ControlError("playlists must be a list of playlist sizes, like [50, 120, 3000].")
    if len(sizes) > MAX_LISTENER_PLAYLISTS:
        raise ControlError(f"playlists: at most {MAX_LISTENER_PLAYLISTS} playlists (got {len(sizes)}).")
    for n, size in enumerate(sizes):
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_PLAYLIST_SIZE:
            raise ControlError(
                f"playlists[{n}] must be an integer from 0 to {MAX_PLAYLIST_SIZE} (got {size!r})."
            )
    if sum(sizes) > MAX_LISTENER_ITEMS:
        raise ControlError(f"playlists: at most {MAX_LISTENER_ITEMS} items in all (got {sum(sizes)}).")
    # Liked songs are distinct tracks, so the catalog bounds them.
    liked = _count(data, "liked", maximum=min(MAX_LISTENER_ITEMS, len(state.catalog.tracks)))
    plays = _count(data, "plays", maximum=MAX_LISTENER_PLAYS)
    _check_listener_room(state, user_id=user_id, items=sum(sizes))
    return {"user_id": user_id, "display_name": display_name, "sizes": sizes, "liked": liked, "plays": plays}


def _count(data: dict, key: str, *, maximum: int) -> int:
    value = data.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ControlError(f"{key} must be an integer from 0 to {maximum} (got {value!r}).")
    return value


def _check_listener_room(state: SandboxState, *, user_id: str, items: int) -> None:
    if user_id in state.users:
        raise ControlError(f"id: user {user_id!r} already exists.", status=409)
    created = sum(listener["items"] for listener in state.listeners.values())
    if created + items > MAX_CREATED_ITEMS:
        raise ControlError(
            f"playlists: the created listeners would hold {created + items} items, over the sandbox's "
            f"{MAX_CREATED_ITEMS}; POST /_sandbox/reset removes them."
        )
