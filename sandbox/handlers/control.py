"""The control API under /_sandbox/: JSON in, JSON out, no auth; tests and the demo steer the sandbox here."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import playlists as edits
from sandbox.catalog.models import LOCAL, Entry
from sandbox.errors import ApiError, ControlError
from sandbox.handlers.control_body import Answer, json_object, nonempty_list
from sandbox.handlers.control_world import add_plays, create_user
from sandbox.playlists import PlaylistState
from sandbox.state import SandboxState
from sandbox.stats import catalog_stats
from sandbox.tokens import ALL_SCOPES
from sandbox.traffic import parse_fault
from sandbox.web import json_response

Handler = Callable[[SandboxState, Any], Any]


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
    data = json_object(body, allowed={"user", "expires_in", "scope", "client_id"})
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
    data = json_object(body, allowed={"refresh_token", "access_token"})
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
    data = json_object(
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
    uris = nonempty_list(data, "uris")
    resolved = iter(state.resolve_uris([uri for uri in uris if uri not in local]))
    refs = [(LOCAL, local[uri]) if uri in local else next(resolved) for uri in uris]
    entries = [Entry(kind, ref, added_at, user) for kind, ref in refs]
    return edits.insert(playlist, entries=entries, position=data.get("position"), salt=state.next_salt())


def _remove(state: SandboxState, playlist: PlaylistState, data: dict) -> str:
    if "positions" in data:
        positions = nonempty_list(data, "positions")
        uris = {}
        for position in positions:
            if not isinstance(position, int) or not 0 <= position < len(playlist.entries):
                raise ControlError(f"Position {position} is out of range.")
            uris.setdefault(state.uri_of(playlist.entries[position]), []).append(position)
        return edits.remove(playlist, uris=uris, uri_of=state.uri_of, salt=state.next_salt())
    return edits.remove(
        playlist, uris={uri: None for uri in nonempty_list(data, "uris")}, uri_of=state.uri_of, salt=state.next_salt()
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
