"""The request context handed to dialect handlers, their error type, and JSON helpers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.llm.faults import Fault
from sandbox.llm.state import LlmState, Provider


class DialectError(Exception):
    """An error answer, already in the dialect's wire shape."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclasses.dataclass(slots=True)
class Call:
    request: Request
    state: LlmState
    provider: Provider | None  # None for the lyrics stand-in
    fault: Fault | None
    # What the handler learnt, for the counters.
    model: str | None = None
    digest: str | None = None

    def json(self, error: Callable[[int, str], DialectError]) -> dict:
        raw = self.request.get_data(cache=True)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise error(400, "We could not parse the JSON body of your request.") from None
        if not isinstance(body, dict):
            raise error(400, "The request body must be a JSON object.")
        return body

    @property
    def malformed(self) -> str | None:
        return self.fault.variant if self.fault is not None and self.fault.kind == "malformed" else None

    @property
    def scripted(self) -> str | None:
        """The reply an "answer" fault dictates, as the model's text; None to generate one."""
        if self.fault is None or self.fault.kind != "answer":
            return None
        content = self.fault.content
        return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)

    @property
    def model_missing(self) -> bool:
        return self.fault is not None and self.fault.kind == "model_not_found"


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str  # werkzeug rule below the provider prefix, e.g. "/v2/<endpoint_id>/runsync"
    handler: Callable[..., Response]
    # Builds an error answer in this route's dialect: error(status, message=None) -> DialectError.
    error: Callable[..., DialectError]
    # Routes that produce an answer: only these take "malformed", "model_not_found" and "answer" faults.
    answers: bool = False

    @property
    def template(self) -> str:
        return f"{self.method} {self.path.replace('<', '{').replace('>', '}').replace('int:', '')}"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(payload, status=status, headers=headers or {}, content_type="application/json")


def stream_response(chunks: Iterable[str], content_type: str) -> Response:
    return Response(chunks, status=200, content_type=content_type, headers={"Cache-Control": "no-cache"})


def now_iso(*, nanos: bool = False) -> str:
    moment = dt.datetime.now(dt.UTC)
    if nanos:  # Ollama writes created_at with nanoseconds
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def pieces(text: str, parts: int = 4) -> list[str]:
    """Text cut in a few chunks for streamed answers; joined back they give the text."""
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
