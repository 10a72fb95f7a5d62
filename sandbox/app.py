"""The WSGI application: routing, faults, auth, mode rules, rate limit, counters, response validation."""

from __future__ import annotations

import hashlib
import socket
import sys
import time
import traceback
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import ClientDisconnected, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.config import DEVELOPMENT, serves
from sandbox.errors import ApiError, forbidden
from sandbox.handlers import accounts, control, me, playlists
from sandbox.handlers import catalog as catalog_handlers
from sandbox.render import Renderer
from sandbox.state import SandboxState
from sandbox.traffic import Fault
from sandbox.validation import ResponseValidator
from sandbox.web import MODIFY_PLAYLISTS, Ctx, Result, Route, json_response

P = "/v1/playlists/<playlist_id>"
ROUTES = (
    Route("GET", "/v1/me", me.get_me),
    Route("GET", "/v1/me/playlists", playlists.list_mine),
    Route("POST", "/v1/me/playlists", playlists.create_mine, scopes=MODIFY_PLAYLISTS),
    Route("GET", "/v1/me/tracks", me.saved_tracks, scopes=("user-library-read",)),
    Route("GET", "/v1/me/top/tracks", me.top_tracks, scopes=("user-top-read",)),
    Route("GET", "/v1/me/top/artists", me.top_artists, scopes=("user-top-read",)),
    Route("GET", "/v1/me/player/recently-played", me.recently_played, scopes=("user-read-recently-played",)),
    Route("GET", "/v1/users/<user_id>", me.get_user, extended_only=True),
    Route("GET", "/v1/users/<user_id>/playlists", playlists.list_user, extended_only=True),
    Route(
        "POST",
        "/v1/users/<user_id>/playlists",
        playlists.create_for_user,
        extended_only=True,
        scopes=MODIFY_PLAYLISTS,
    ),
    Route("GET", P, playlists.get_playlist),
    Route("PUT", P, playlists.change_details, scopes=MODIFY_PLAYLISTS),
    Route("GET", f"{P}/items", playlists.get_items),
    Route("POST", f"{P}/items", playlists.add_items, scopes=MODIFY_PLAYLISTS),
    Route("PUT", f"{P}/items", playlists.update_items, scopes=MODIFY_PLAYLISTS),
    Route("DELETE", f"{P}/items", playlists.remove_items, scopes=MODIFY_PLAYLISTS),
    Route("GET", f"{P}/tracks", playlists.get_items, extended_only=True, legacy=True),
    Route(
        "POST", f"{P}/tracks", playlists.add_items, extended_only=True, legacy=True, scopes=MODIFY_PLAYLISTS
    ),
    Route(
        "PUT", f"{P}/tracks", playlists.update_items, extended_only=True, legacy=True, scopes=MODIFY_PLAYLISTS
    ),
    Route(
        "DELETE",
        f"{P}/tracks",
        playlists.remove_items,
        extended_only=True,
        legacy=True,
        scopes=MODIFY_PLAYLISTS,
    ),
    Route("GET", "/v1/tracks/<track_id>", catalog_handlers.get_track),
    Route("GET", "/v1/tracks", catalog_handlers.get_tracks, extended_only=True),
    Route("GET", "/v1/artists/<artist_id>", catalog_handlers.get_artist),
    Route("GET", "/v1/artists", catalog_handlers.get_artists, extended_only=True),
    Route("GET", "/v1/albums/<album_id>", catalog_handlers.get_album),
    Route("GET", "/v1/albums/<album_id>/tracks", catalog_handlers.get_album_tracks),
    Route("GET", "/v1/albums", catalog_handlers.get_albums, extended_only=True),
    Route("GET", "/v1/audio-features/<track_id>", catalog_handlers.get_audio_features, extended_only=True),
    Route("GET", "/v1/audio-features", catalog_handlers.get_several_audio_features, extended_only=True),
)
ACCOUNTS = {
    ("GET", "/authorize"): accounts.authorize,
    ("POST", "/authorize"): accounts.authorize,
    ("POST", "/api/token"): accounts.token,
}
# Spotify's words for a user a Development-mode app does not list (config `allowlist`).
NOT_ALLOWLISTED = "User not registered in the Developer Dashboard"
MALFORMED_BODY = b'{"href": "truncated", "items": [{"added_at": "2026-01-0'


class SandboxApp:
    def __init__(self, *, state: SandboxState, validator: ResponseValidator | None = None) -> None:
        self.state = state
        self.validator = validator
        self.urls = Map(
            [Rule(route.path, methods=[route.method], endpoint=route) for route in ROUTES],
            strict_slashes=False,
        )

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_sandbox"):
            return control.handle(request, self.state)
        if path.startswith("/image/"):
            return _image(path)
        route, args, route_error = self._match(request)
        key = f"{request.method} {route.template if route else _unknown_key(path, route_error)}"
        with self.state.lock:
            fault = self.state.faults.take(method=request.method, path=path)
        if fault is not None and fault.kind not in ("latency", "mutate_after"):
            self._count(
                key=key,
                status=0 if fault.kind == "reset" else fault.status or 200,
                client_id=None,
                faulted=True,
            )
            return self._fault_response(request, fault)
        if fault is not None and fault.kind == "latency":
            # Sleep outside the lock: a slow request must not stall the others.
            time.sleep((fault.latency_ms or 0) / 1000)
        if (request.method, path) in ACCOUNTS:
            response = ACCOUNTS[(request.method, path)](request, self.state)
            self._count(key=key, status=response.status_code, client_id=None, faulted=fault is not None)
            return response
        result, client_id, mode = self._api(request, route, args, route_error)
        self._count(key=key, status=result.status, client_id=client_id, faulted=fault is not None)
        if fault is not None and fault.kind == "mutate_after":
            # The answer was computed before the edit: the client sees the world as it was.
            control.mutate_after(self.state, fault.body)
        if result.text is not None:
            return Response(result.text, status=result.status, headers=result.headers, content_type="text/plain")
        if self.validator is not None and path.startswith("/v1"):
            self._validate(request, result, mode=mode)
        return json_response(result.status, result.body, result.headers)

    def _match(self, request: Request) -> tuple[Route | None, dict, ApiError | None]:
        try:
            route, args = self.urls.bind_to_environ(request.environ).match()
            return route, args, None
        except MethodNotAllowed:
            return None, {}, ApiError(405, "Method not allowed")
        except NotFound:
            return None, {}, ApiError(404, "Service not found")

    def _api(
        self, request: Request, route: Route | None, args: dict, route_error: ApiError | None
    ) -> tuple[Result, str | None, str]:
        state = self.state
        with state.lock:
            mode = state.config.mode
            client_id = None
            try:
                if route_error is not None:
                    raise route_error
                grant = state.tokens.authenticate(request.headers.get("Authorization"))
                client_id = grant.client_id
                config = state.config
                if not serves(config, grant.user):
                    # The token endpoint still answers for such a user; every /v1 call does not,
                    # with 46 bytes of plain text, not Spotify's JSON error object (as other
                    # projects recorded it: zmb3/spotify#232, Yooooomi/your_spotify#207).
                    return Result(403, text=NOT_ALLOWLISTED), client_id, mode
                retry = state.limiter.check(
                    client_id=client_id, budget=config.rate_limit_budget, window=config.rate_limit_window
                )
                if retry is not None:
                    retry_after = (
                        config.retry_after_seconds if config.retry_after_seconds is not None else retry
                    )
                    raise ApiError(429, "API rate limit exceeded", headers={"Retry-After": str(retry_after)})
                quota_wait = state.quota.check(
                    after_requests=config.quota_after_requests, retry_after=config.quota_retry_after
                )
                if quota_wait is not None:
                    # As Spotify answers since July 2026: the developer account's quota, for every app of it.
                    raise ApiError(
                        429, "API rate limit exceeded", headers={"Retry-After": str(quota_wait)}, reason="QUOTA_EXCEEDED"
                    )
                if route.extended_only and mode == DEVELOPMENT:
                    raise forbidden()
                if route.scopes and not grant.scopes & set(route.scopes):
                    raise ApiError(403, "Insufficient client scope")
                renderer = Renderer(
                    catalog=state.catalog,
                    mode=mode,
                    site=request.host_url.rstrip("/"),
                    shapes=config.shapes,
                    artist_genres=config.artist_genres,
                    users=state.users,
                )
                ctx = Ctx(
                    request=request,
                    state=state,
                    grant=grant,
                    user=state.users[grant.user],
                    mode=mode,
                    route=route,
                    render=renderer,
                )
                return route.handler(ctx, **args), client_id, mode
            except ApiError as error:
                return Result(error.status, error.body(), dict(error.headers)), client_id, mode
            except ClientDisconnected:
                # The client left mid-body (a worker stopped on purpose by a test): no sandbox bug.
                return Result(400, ApiError(400, "Client disconnected").body()), client_id, mode
            except Exception as error:  # noqa: BLE001 - a sandbox bug must not look like a Spotify answer
                traceback.print_exc(file=sys.stderr)
                # Recorded as a violation so the test session that caused it fails loudly.
                state.record_violation(
                    {
                        "method": request.method,
                        "path": request.path,
                        "status": 500,
                        "mode": mode,
                        "message": f"Internal sandbox error: {error!r}",
                    }
                )
                return Result(500, ApiError(500, "Server error").body()), client_id, mode

    def _fault_response(self, request: Request, fault: Fault) -> Response:
        if fault.kind == "reset":
            connection = request.environ.get("werkzeug.socket")
            if connection is not None:
                # Close our side without a byte of response; the client sees the connection drop.
                connection.shutdown(socket.SHUT_RDWR)
            return Response(b"", status=500)
        if fault.kind == "malformed":
            return Response(MALFORMED_BODY, status=200, content_type="application/json; charset=utf-8")
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if isinstance(fault.body, str):
            return Response(fault.body, status=fault.status, headers=headers, content_type="application/json")
        body = (
            fault.body
            if fault.body is not None
            else {"error": {"status": fault.status, "message": _reason(fault.status)}}
        )
        return json_response(fault.status, body, headers)

    def _count(self, *, key: str, status: int, client_id: str | None, faulted: bool) -> None:
        with self.state.lock:
            self.state.counters.record(route=key, status=status, client_id=client_id, faulted=faulted)

    def _validate(self, request: Request, result: Result, *, mode: str) -> None:
        if result.body is None:
            return
        problems = self.validator.validate(
            mode=mode,
            method=request.method,
            path=request.path[len("/v1") :] or "/",
            status=result.status,
            body=result.body,
        )
        for problem in problems:
            self.state.record_violation(
                {
                    "method": request.method,
                    "path": request.path,
                    "status": result.status,
                    "mode": mode,
                    "message": problem,
                }
            )


def _unknown_key(path: str, error: ApiError | None) -> str:
    # Counter keys stay templates: raw paths with ids would blow up the counter table.
    if path in {"/authorize", "/api/token"}:
        return path
    if error is not None and error.status == 405:
        return "/v1/(method not allowed)"
    return "/v1/(unknown)" if path.startswith("/v1") else "(unknown)"


def _reason(status: int | None) -> str:
    try:
        return HTTPStatus(status or 500).phrase
    except ValueError:
        return "Error"


def _image(path: str) -> Response:
    """A small deterministic SVG cover, so pages render offline."""
    digest = hashlib.blake2b(path.encode(), digest_size=6).hexdigest()
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" fill="#{digest[:6]}"/>'
        f'<circle cx="32" cy="32" r="18" fill="#{digest[6:]}"/>'
        f'<circle cx="32" cy="32" r="3" fill="#111"/></svg>'
    )
    return Response(svg, content_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
