"""The control API under /_llm/: JSON in, JSON out, no auth, 400 `{"error": "..."}` on bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.llm.faults import ControlError
from sandbox.llm.state import Counters, LlmState
from sandbox.llm.web import json_response

Handler = Callable[..., Any]


def health(state: LlmState, body: Any, request: Request) -> Any:
    return {
        "status": "ok",
        "seed": state.seed,
        "providers": [p.as_json() for p in state.providers.values()],
        "lyrics_tracks": len(state.lyrics),
        "internal_errors": list(state.errors),
        "client_disconnects": state.client_disconnects,
    }


def reset(state: LlmState, body: Any, request: Request) -> Any:
    return {"reset": True, "elapsed_ms": round(state.reset(), 3)}


def list_providers(state: LlmState, body: Any, request: Request) -> Any:
    return {"providers": [p.as_json() for p in state.providers.values()]}


def patch_provider(state: LlmState, body: Any, request: Request, *, name: str) -> Any:
    return state.patch_provider(name, body).as_json()


def add_fault(state: LlmState, body: Any, request: Request) -> Any:
    fault = state.faults.add(body, providers=state.provider_names())
    return {"fault": fault.as_json(), "pending": len(state.faults.faults)}


def list_faults(state: LlmState, body: Any, request: Request) -> Any:
    return {"faults": [fault.as_json() for fault in state.faults.faults]}


def clear_faults(state: LlmState, body: Any, request: Request) -> Any:
    provider = request.args.get("provider")
    if provider is not None and provider not in state.provider_names() | {"*", "lrclib"}:
        raise ControlError(f"Unknown provider {provider!r}.")
    state.faults.clear(provider)
    return {"faults": [fault.as_json() for fault in state.faults.faults]}


def get_counters(state: LlmState, body: Any, request: Request) -> Any:
    return state.counters.as_json()


def clear_counters(state: LlmState, body: Any, request: Request) -> Any:
    state.counters = Counters()
    return state.counters.as_json()


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/_llm/health"): health,
    ("POST", "/_llm/reset"): reset,
    ("GET", "/_llm/providers"): list_providers,
    ("PATCH", "/_llm/providers/<name>"): patch_provider,
    ("POST", "/_llm/faults"): add_fault,
    ("GET", "/_llm/faults"): list_faults,
    ("DELETE", "/_llm/faults"): clear_faults,
    ("GET", "/_llm/counters"): get_counters,
    ("DELETE", "/_llm/counters"): clear_counters,
}
URLS = Map(
    [Rule(path, methods=[method], endpoint=handler) for (method, path), handler in ROUTES.items()],
    strict_slashes=False,
)


def handle(request: Request, state: LlmState) -> Response:
    try:
        handler, args = URLS.bind("sandbox").match(request.path, method=request.method)
    except MethodNotAllowed:
        return json_response(405, {"error": "Method not allowed."})
    except NotFound:
        return json_response(404, {"error": f"Unknown control path {request.path}."})
    raw = request.get_data()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        return json_response(400, {"error": "The body is not valid JSON."})
    try:
        with state.lock:
            return json_response(200, handler(state, body, request, **args))
    except ControlError as error:
        return json_response(error.status, {"error": error.message})
