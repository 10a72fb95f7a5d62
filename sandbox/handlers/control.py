"""The control API under /_sandbox/: JSON in, JSON out, no auth; tests and the demo steer the sandbox here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import time
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import playlists as edits
from sandbox.catalog.listeners import build_listener
from sandbox.catalog.models import LOCAL, TRACK, Entry, Play
from sandbox.errors import ApiError, ControlError, optional_int
from sandbox.playlists import PlaylistState
from sandbox.state import SandboxState
from sandbox.stats import catalog_stats
from sandbox.tokens import ALL_SCOPES
from sandbox.traffic import parse_fault
from sandbox.web import json_response

Handler = Callable[[SandboxState, Any], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """A handler's answer with a status other than 200."""

    status: int
    body: Any


def health(state: SandboxState, body: Any) -> Any:
    return {
        "status": "ok",
        "mode": state.config.mode,
        "seed": state.catalog.seed,
        "scale": state.catalog.scale,
        # The anchor of the dated data: a test reads it to place its own plays after the history.
        "now": state.catalog.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "validate_responses": state.options.validate_responses,
    }


def reset(state: SandboxState, body: Any) -> Any:
    removed = sorted(state.listeners)
    return {"reset": True, "elapsed_ms": round(state.reset(), 3), "removed_users": removed}


def get_config(state: SandboxState, body: Any) -> Any:
    return state.config.as_json()


def patch_config(state: SandboxState, body: Any) -> Any:
    state.config.apply_patch(body, signable_users=state.signable_users)
    return state.config.as_json()


def add_fault(state: SandboxState, body: Any) -> Any:
    fault = parse_fault(body)
    state.faults.add(fault)
    return {"fault": fault.as_json(), "pending": len(state.faults.faults)}


def list_faults(state: SandboxState, body: Any) -> Any:
    return {"faults": [fault.as_json() for fault in state.faults.faults]}


def clear_faults(state: SandboxState, body: Any) -> Any:
    state.faults.clear()
    return {"faults": []}


def issue_token(state: SandboxState, body: Any) -> Any:
    data = _object(body, allowed={"user", "expires_in", "scope", "client_id"})
    user = data.get("user", "demo")
    if user not in state.users:
        raise ControlError(f"Unknown user {user!r}.")
    expires_in = data.get("expires_in", 3600)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 1:
        raise ControlError("expires_in must be a positive integer.")
    scope = data.get("scope")
    scopes = tuple(sorted(ALL_SCOPES)) if scope is None else tuple(str(scope).split())
    if not set(scopes) <= ALL_SCOPES:
        raise ControlError(f"Unknown scope(s): {' '.join(sorted(set(scopes) - ALL_SCOPES))}.")
    client_id = data.get("client_id", state.options.client_id)
    return state.tokens.issue(
        client_id=client_id,
        user=user,
        scopes=scopes,
        lifetime=expires_in,
        public_client=False,
    )


def revoke(state: SandboxState, body: Any) -> Any:
    data = _object(body, allowed={"refresh_token", "access_token"})
    if not data:
        raise ControlError("Give refresh_token or access_token.")
    if not state.tokens.revoke(
        refresh_token=data.get("refresh_token"), access_token=data.get("access_token")
    ):
        raise ControlError("Unknown token.", status=404)
    return {"revoked": True}


def mutate_playlist(state: SandboxState, body: Any, *, playlist_id: str) -> Any:
    """Edit a playlist as another client would, bumping its snapshot_id."""
    playlist = state.playlist(playlist_id)
    if playlist is None:
        raise ControlError(f"Unknown playlist {playlist_id}.", status=404)
    data = _object(
        body,
        allowed={
            "op",
            "uris",
            "position",
            "positions",
            "range_start",
            "insert_before",
            "range_length",
            "name",
            "user",
            "collaborative",
        },
    )
    op = data.get("op")
    if op not in _MUTATIONS:
        raise ControlError(f"Unknown op {op!r}; use one of {', '.join(_MUTATIONS)}.")
    try:
        snapshot = _MUTATIONS[op](state, playlist, data)
    except ApiError as error:
        raise ControlError(error.message) from None
    return {
        "playlist_id": playlist.id,
        "snapshot_id": snapshot,
        "deleted": playlist.deleted,
        "total": len(playlist.entries),
    }


def _add(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    added_at = state.now_iso()
    user = data.get("user", playlist.owner)
    # Another client (the desktop app) may add the listener's local files, which the Web API cannot.
    local = {item.uri: index for index, item in enumerate(state.catalog.local_files)}
    uris = _list(data, "uris")
    resolved = iter(state.resolve_uris([uri for uri in uris if uri not in local]))
    refs = [(LOCAL, local[uri]) if uri in local else next(resolved) for uri in uris]
    entries = [Entry(kind, ref, added_at, user) for kind, ref in refs]
    return edits.insert(playlist, entries=entries, position=data.get("position"), salt=state.next_salt())


def _remove(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    if "positions" in data:
        positions = _list(data, "positions")
        uris = {}
        for position in positions:
            if not isinstance(position, int) or not 0 <= position < len(playlist.entries):
                raise ControlError(f"Position {position} is out of range.")
            uris.setdefault(state.uri_of(playlist.entries[position]), []).append(position)
        return edits.remove(playlist, uris=uris, uri_of=state.uri_of, salt=state.next_salt())
    return edits.remove(
        playlist, uris={uri: None for uri in _list(data, "uris")}, uri_of=state.uri_of, salt=state.next_salt()
    )


def _reorder(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    if not isinstance(data.get("range_start"), int) or not isinstance(data.get("insert_before"), int):
        raise ControlError("reorder needs range_start and insert_before.")
    return edits.reorder(
        playlist,
        range_start=data["range_start"],
        insert_before=data["insert_before"],
        range_length=data.get("range_length", 1),
        salt=state.next_salt(),
    )


def _rename(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    if not isinstance(data.get("name"), str) or not data["name"]:
        raise ControlError("rename needs a name.")
    return edits.update_details(
        playlist, name=data["name"], description=None, public=None, collaborative=None, salt=state.next_salt()
    )


def _delete(state: SandboxState, playlist: PlaylistState, data: dict) -> None:
    state.delete_playlist(playlist)


def _collaboration(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    """The owner turns collaboration on or off; its collaborators keep following it, and in
    Development mode can no longer read its items once it is off."""
    if not isinstance(data.get("collaborative"), bool):
        raise ControlError("collaboration needs collaborative: true or false.")
    return edits.update_details(
        playlist, name=None, description=None, public=None, collaborative=data["collaborative"],
        salt=state.next_salt(),
    )  # fmt: skip


def _unfollow(state: SandboxState, playlist: PlaylistState, data: dict) -> None:
    """`user` unfollows the playlist: it leaves their list and stays on Spotify for the others."""
    user = data.get("user")
    if user not in state.users:
        raise ControlError(f"unfollow needs the user who unfollows; unknown user {user!r}.")
    listed = state.libraries.get(user, [])
    if playlist.id not in listed:
        raise ControlError(f"{user} does not follow playlist {playlist.id}.")
    listed.remove(playlist.id)


def _follow(state: SandboxState, playlist: PlaylistState, data: dict) -> None:
    """`user` follows the playlist (again): it goes to the top of their list, as in the clients."""
    user = data.get("user")
    if user not in state.users:
        raise ControlError(f"follow needs the user who follows; unknown user {user!r}.")
    listed = state.libraries.setdefault(user, [])
    if playlist.id not in listed:
        listed.insert(0, playlist.id)


_MUTATIONS: dict[str, Callable[[SandboxState, PlaylistState, dict], str | None]] = {
    "add": _add,
    "remove": _remove,
    "reorder": _reorder,
    "rename": _rename,
    "delete": _delete,
    "collaboration": _collaboration,
    "unfollow": _unfollow,
    "follow": _follow,
}


def mutate_after(state: SandboxState, body: dict) -> None:
    """A mutate_after fault's edit, applied once its request was answered (sandbox.traffic)."""
    data = dict(body)
    playlist_id = data.pop("playlist_id")
    try:
        with state.lock:
            mutate_playlist(state, data, playlist_id=playlist_id)
    except ControlError as error:
        # Checked when the fault was added only in shape: report a bad edit loudly in the log.
        print(f"sandbox: mutate_after fault on {playlist_id} failed: {error.message}", flush=True)


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
    data = _object(body, allowed={"count", "end", "spacing_seconds", "track_ids"})
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


def get_counters(state: SandboxState, body: Any) -> Any:
    return state.counters.as_json()


def clear_counters(state: SandboxState, body: Any) -> Any:
    state.counters.clear()
    return state.counters.as_json()


def get_violations(state: SandboxState, body: Any) -> Any:
    return {"violations": list(state.violations)}


def list_users(state: SandboxState, body: Any) -> Any:
    users = []
    for user in state.users.values():
        listed = state.libraries.get(user.id, [])
        users.append(
            {
                "id": user.id,
                "display_name": user.display_name,
                "signable": user.signable,
                "created": user.id in state.listeners,
                "owned_playlists": [pid for pid in listed if state.playlists[pid].owner == user.id],
                "followed_playlists": [
                    pid
                    for pid in listed
                    if state.playlists[pid].owner != user.id
                    and user.id not in state.playlists[pid].collaborators
                ],
                "collaborative_playlists": [pid for pid in listed if state.playlists[pid].collaborative],
            }
        )
    return {"users": users}


def stats(state: SandboxState, body: Any) -> Any:
    return catalog_stats(state)


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
    data = _object(body, allowed={"id", "display_name", "playlists", "liked", "plays"})
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


URLS = Map(
    [
        Rule("/_sandbox/health", methods=["GET"], endpoint=health),
        Rule("/_sandbox/reset", methods=["POST"], endpoint=reset),
        Rule("/_sandbox/config", methods=["GET"], endpoint=get_config),
        Rule("/_sandbox/config", methods=["PATCH"], endpoint=patch_config),
        Rule("/_sandbox/faults", methods=["GET"], endpoint=list_faults),
        Rule("/_sandbox/faults", methods=["POST"], endpoint=add_fault),
        Rule("/_sandbox/faults", methods=["DELETE"], endpoint=clear_faults),
        Rule("/_sandbox/tokens", methods=["POST"], endpoint=issue_token),
        Rule("/_sandbox/revoke", methods=["POST"], endpoint=revoke),
        Rule("/_sandbox/playlists/<playlist_id>/mutate", methods=["POST"], endpoint=mutate_playlist),
        Rule("/_sandbox/counters", methods=["GET"], endpoint=get_counters),
        Rule("/_sandbox/counters", methods=["DELETE"], endpoint=clear_counters),
        Rule("/_sandbox/violations", methods=["GET"], endpoint=get_violations),
        Rule("/_sandbox/users", methods=["GET"], endpoint=list_users),
        Rule("/_sandbox/users", methods=["POST"], endpoint=create_user),
        Rule("/_sandbox/users/<user_id>/plays", methods=["POST"], endpoint=add_plays),
        Rule("/_sandbox/stats", methods=["GET"], endpoint=stats),
    ],
    strict_slashes=False,
)


def handle(request: Request, state: SandboxState) -> Response:
    try:
        handler, args = URLS.bind_to_environ(request.environ).match()
    except (NotFound, MethodNotAllowed):
        return json_response(400, {"error": f"Unknown control instruction: {request.method} {request.path}"})
    raw = request.get_data()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        return json_response(400, {"error": "Body is not valid JSON."})
    try:
        if handler in _LOCKS_ITSELF:
            answer = handler(state, body, **args)
        else:
            with state.lock:
                answer = handler(state, body, **args)
    except ControlError as error:
        return json_response(error.status, {"error": error.message})
    if isinstance(answer, Answer):
        return json_response(answer.status, answer.body)
    return json_response(200, answer)


# Handlers that take state.lock themselves, for as short as they can.
_LOCKS_ITSELF = {create_user}


def _object(body: Any, *, allowed: set[str]) -> dict:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("Body must be a JSON object.")
    unknown = set(body) - allowed
    if unknown:
        raise ControlError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    return body


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise ControlError(f"{key} must be a non-empty list.")
    return value
