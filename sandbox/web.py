"""The request context handed to Web API handlers, and what they return."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.catalog.models import User
from sandbox.config import EXTENDED
from sandbox.errors import bad_request
from sandbox.render import Renderer
from sandbox.state import SandboxState
from sandbox.tokens import AccessGrant

MODIFY_PLAYLISTS = ("playlist-modify-public", "playlist-modify-private")


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Callable[..., Result]
    # Answered with 403 in Development Mode, as Spotify does since February 2026.
    extended_only: bool = False
    # Any one of these scopes is enough.
    scopes: tuple[str, ...] = ()
    # The deprecated /playlists/{id}/tracks family: limit up to 100.
    legacy: bool = False

    @property
    def template(self) -> str:
        return self.path.replace("<", "{").replace(">", "}")


@dataclasses.dataclass(slots=True)
class Result:
    status: int
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    text: str | None = None  # a plain-text answer instead of JSON (Spotify's allowlist 403)


@dataclasses.dataclass(slots=True)
class Ctx:
    request: Request
    state: SandboxState
    grant: AccessGrant
    user: User
    mode: str
    route: Route
    render: Renderer

    @property
    def args(self) -> Any:
        return self.request.args

    @property
    def extended(self) -> bool:
        return self.mode == EXTENDED

    @property
    def api(self) -> str:
        return self.render.api

    def url(self) -> str:
        """This endpoint's absolute URL without the query string, for paging objects."""
        return f"{self.render.site}{self.request.path}"

    def json_body(self, *, required: bool = False) -> Any:
        raw = self.request.get_data(cache=True)
        if not raw.strip():
            if required:
                raise bad_request("Error parsing JSON.")
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request("Error parsing JSON.") from None


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(payload, status=status, headers=headers or {})
    if body is not None:
        response.content_type = "application/json; charset=utf-8"
    return response
