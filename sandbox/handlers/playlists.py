"""Playlists: listing, creating, details, and the items endpoints (plus the legacy /tracks family)."""

from __future__ import annotations

from typing import Any

from sandbox import playlists as edits
from sandbox.catalog.models import Entry
from sandbox.errors import ApiError, bad_request, forbidden, not_found
from sandbox.ids import is_spotify_id
from sandbox.paging import paging, parse_limit, parse_offset
from sandbox.playlists import PlaylistState
from sandbox.web import Ctx, Result

MAX_URIS = 100


def list_mine(ctx: Ctx) -> Result:
    return _list(ctx, playlist_ids=ctx.state.libraries.get(ctx.user.id, []))


def list_user(ctx: Ctx, *, user_id: str) -> Result:
    if user_id not in ctx.state.users:
        raise not_found()
    ids = ctx.state.libraries.get(user_id, [])
    if user_id != ctx.user.id:
        ids = [
            pid
            for pid in ids
            if ctx.state.playlists[pid].owner == user_id and ctx.state.playlists[pid].public
        ]
    return _list(ctx, playlist_ids=ids)


def _list(ctx: Ctx, *, playlist_ids: list[str]) -> Result:
    limit, offset = parse_limit(ctx.args), parse_offset(ctx.args)
    items = [_listed(ctx, ctx.state.playlists[pid]) for pid in playlist_ids[offset : offset + limit]]
    return Result(
        200, paging(url=ctx.url(), items=items, total=len(playlist_ids), offset=offset, limit=limit)
    )


def _listed(ctx: Ctx, playlist: PlaylistState) -> dict[str, Any]:
    body = ctx.render.playlist_simple(playlist)
    hidden = not ctx.extended and not playlist.can_read_items(ctx.user.id)
    if hidden and ctx.render.shapes.followed_without_items:
        # As Spotify lists some followed playlists to Development-mode apps: no items reference.
        body.pop("items", None)
        body.pop("tracks", None)
    return body


def create_mine(ctx: Ctx) -> Result:
    body = ctx.json_body(required=True)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise bad_request("Missing required field: name")
    public = _optional_bool(body, "public", default=True)
    collaborative = _optional_bool(body, "collaborative", default=False)
    if collaborative and public:
        raise bad_request("Collaborative playlists can only be private.")
    description = body.get("description") or ""
    if not isinstance(description, str):
        raise bad_request("Invalid description")
    playlist = ctx.state.create_playlist(
        owner=ctx.user.id,
        name=body["name"],
        description=description,
        public=public,
        collaborative=collaborative,
    )
    return Result(201, ctx.render.playlist_full(playlist, items_page=_embedded_page(ctx, playlist)))


def create_for_user(ctx: Ctx, *, user_id: str) -> Result:
    if user_id != ctx.user.id:
        raise ApiError(403, "You cannot create a playlist for another user.")
    return create_mine(ctx)


def get_playlist(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _find(ctx, playlist_id)
    readable = ctx.extended or playlist.can_read_items(ctx.user.id)
    # Development Mode (Feb 2026): other people's playlists come back as metadata only.
    page = _embedded_page(ctx, playlist) if readable else None
    return Result(200, ctx.render.playlist_full(playlist, items_page=page))


def change_details(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _find(ctx, playlist_id)
    if playlist.owner != ctx.user.id:
        raise forbidden()
    body = ctx.json_body(required=True)
    if not isinstance(body, dict):
        raise bad_request("Error parsing JSON.")
    name, description = body.get("name"), body.get("description")
    if (name is not None and not isinstance(name, str)) or (
        description is not None and not isinstance(description, str)
    ):
        raise bad_request("Invalid name or description")
    edits.update_details(
        playlist,
        name=name,
        description=description,
        public=_optional_bool(body, "public", default=None),
        collaborative=_optional_bool(body, "collaborative", default=None),
        salt=ctx.state.next_salt(),
    )
    return Result(200)


def get_items(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _find(ctx, playlist_id)
    if not ctx.extended and not playlist.can_read_items(ctx.user.id):
        raise forbidden()
    limit = parse_limit(ctx.args, maximum=100 if ctx.route.legacy else 50)
    offset = parse_offset(ctx.args)
    return Result(200, _page(ctx, playlist, url=ctx.url(), offset=offset, limit=limit))


def add_items(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _editable(ctx, playlist_id)
    body = ctx.json_body()
    uris = _uris(ctx, body)
    if not uris:
        raise bad_request("No uris provided")
    position = ctx.args.get("position")
    if position is None and isinstance(body, dict):
        position = body.get("position")
    position = _optional_int(position, "position")
    added_at = ctx.state.now_iso()
    entries = [Entry(kind, ref, added_at, ctx.user.id) for kind, ref in ctx.state.resolve_uris(uris)]
    snapshot = edits.insert(playlist, entries=entries, position=position, salt=ctx.state.next_salt())
    return Result(201, {"snapshot_id": snapshot})


def update_items(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _editable(ctx, playlist_id)
    body = ctx.json_body()
    if "uris" in ctx.args or (isinstance(body, dict) and "uris" in body):
        added_at = ctx.state.now_iso()
        entries = [
            Entry(kind, ref, added_at, ctx.user.id) for kind, ref in ctx.state.resolve_uris(_uris(ctx, body))
        ]
        snapshot = edits.replace(playlist, entries=entries, salt=ctx.state.next_salt())
        return Result(200, {"snapshot_id": snapshot})
    if not isinstance(body, dict):
        raise bad_request("Missing range_start and insert_before, or uris")
    range_start = _optional_int(body.get("range_start"), "range_start")
    insert_before = _optional_int(body.get("insert_before"), "insert_before")
    if range_start is None or insert_before is None:
        raise bad_request("Missing range_start and insert_before, or uris")
    range_length = _optional_int(body.get("range_length"), "range_length")
    snapshot = edits.reorder(
        playlist,
        range_start=range_start,
        insert_before=insert_before,
        range_length=1 if range_length is None else range_length,
        salt=ctx.state.next_salt(),
    )
    return Result(200, {"snapshot_id": snapshot})


def remove_items(ctx: Ctx, *, playlist_id: str) -> Result:
    playlist = _editable(ctx, playlist_id)
    body = ctx.json_body(required=True)
    rows = body.get("items", body.get("tracks")) if isinstance(body, dict) else None
    if not isinstance(rows, list) or not rows:
        raise bad_request("Missing items")
    if len(rows) > MAX_URIS:
        raise bad_request("Too many tracks requested. Maximum is 100.")
    uris: dict[str, list[int] | None] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("uri"), str):
            raise bad_request("Invalid item: each needs a uri")
        positions = row.get("positions")
        if positions is not None and not (
            isinstance(positions, list) and all(isinstance(p, int) for p in positions)
        ):
            raise bad_request("Invalid positions")
        uris[row["uri"]] = positions
    snapshot = edits.remove(playlist, uris=uris, uri_of=ctx.state.uri_of, salt=ctx.state.next_salt())
    return Result(200, {"snapshot_id": snapshot})


# --- helpers -------------------------------------------------------------------
def _find(ctx: Ctx, playlist_id: str) -> PlaylistState:
    if not is_spotify_id(playlist_id):
        raise bad_request("Invalid base62 id")
    playlist = ctx.state.playlist(playlist_id)
    if playlist is None:
        raise not_found()
    return playlist


def _editable(ctx: Ctx, playlist_id: str) -> PlaylistState:
    playlist = _find(ctx, playlist_id)
    if not playlist.can_edit_items(ctx.user.id):
        raise forbidden()
    return playlist


def _embedded_page(ctx: Ctx, playlist: PlaylistState) -> dict[str, Any]:
    # The first page inside a playlist object links on to the items endpoint
    # the mode allows: /items (max 50 a page) or the legacy /tracks (max 100).
    if ctx.extended:
        url, limit = f"{ctx.api}/playlists/{playlist.id}/tracks", 100
    else:
        url, limit = f"{ctx.api}/playlists/{playlist.id}/items", 50
    return _page(ctx, playlist, url=url, offset=0, limit=limit)


def _page(ctx: Ctx, playlist: PlaylistState, *, url: str, offset: int, limit: int) -> dict[str, Any]:
    types = ctx.args.get("additional_types", "")
    episodes = "episode" in types.split(",")
    rows = playlist.entries[offset : offset + limit]
    items = [ctx.render.entry(entry, episodes=episodes) for entry in rows]
    extra = {key: ctx.args[key] for key in ("market", "additional_types") if key in ctx.args}
    return paging(url=url, items=items, total=len(playlist.entries), offset=offset, limit=limit, extra=extra)


def _uris(ctx: Ctx, body: Any) -> list[str]:
    # spotipy posts a bare JSON array; Spotify accepts that as well as {"uris": [...]}.
    if "uris" in ctx.args:
        uris = [uri.strip() for uri in ctx.args["uris"].split(",") if uri.strip()]
    elif isinstance(body, list):
        uris = body
    elif isinstance(body, dict) and isinstance(body.get("uris", []), list):
        uris = body.get("uris", [])
    else:
        raise bad_request("Invalid uris")
    if len(uris) > MAX_URIS:
        raise bad_request("You can add a maximum of 100 tracks per request.")
    return uris


def _optional_bool(body: dict, key: str, *, default: bool | None) -> bool | None:
    value = body.get(key, default)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"Invalid value for {key}")
    return value


def _optional_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise bad_request(f"Invalid {name}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Invalid {name}") from None
