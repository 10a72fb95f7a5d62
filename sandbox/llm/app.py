"""The WSGI application: provider prefixes, the three LLM dialects, the lyrics stand-in, faults, counters."""

from __future__ import annotations

import socket
import sys
import time
import traceback
from typing import Any

from werkzeug.exceptions import ClientDisconnected, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.llm import control, lrclib_api, ollama_api, openai_api, runpod_api
from sandbox.llm.answers import truncate_json
from sandbox.llm.faults import Fault
from sandbox.llm.state import LlmState
from sandbox.llm.web import Call, DialectError, Route, json_response

RP = "/v2/<endpoint_id>"
PROVIDER_ROUTES = (
    Route("GET", "/v1/models", openai_api.list_models, openai_api.error),
    Route("POST", "/v1/chat/completions", openai_api.chat_completions, openai_api.error, answers=True),
    Route("GET", f"{RP}/health", runpod_api.health, runpod_api.error),
    Route("POST", f"{RP}/runsync", runpod_api.runsync, runpod_api.error, answers=True),
    Route("POST", f"{RP}/run", runpod_api.run, runpod_api.error, answers=True),
    Route("GET", f"{RP}/status/<job_id>", runpod_api.status, runpod_api.error),
    Route("GET", f"{RP}/openai/v1/models", openai_api.list_models, openai_api.error),
    Route(
        "POST",
        f"{RP}/openai/v1/chat/completions",
        openai_api.chat_completions,
        openai_api.error,
        answers=True,
    ),
    Route("GET", "/", ollama_api.root, ollama_api.error),
    Route("GET", "/api/version", ollama_api.version, ollama_api.error),
    Route("GET", "/api/tags", ollama_api.tags, ollama_api.error),
    Route("POST", "/api/chat", ollama_api.chat, ollama_api.error, answers=True),
)
LRCLIB_ROUTES = (
    Route("GET", "/api/get", lrclib_api.get, lrclib_api.error, answers=True),
    Route("GET", "/api/get/<int:lrclib_id>", lrclib_api.get_by_id, lrclib_api.error, answers=True),
    Route("GET", "/api/search", lrclib_api.search, lrclib_api.error, answers=True),
)
LRCLIB = "lrclib"


class LlmSandboxApp:
    def __init__(self, *, state: LlmState) -> None:
        self.state = state
        self.provider_urls = _url_map(PROVIDER_ROUTES)
        self.lrclib_urls = _url_map(LRCLIB_ROUTES)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        path = request.path
        if path == "/_llm" or path.startswith("/_llm/"):
            return control.handle(request, self.state)
        head, _, rest = path.lstrip("/").partition("/")
        rest = f"/{rest}"
        with self.state.lock:
            provider = self.state.providers.get(head)
            generation = self.state.generation
        if head != LRCLIB and provider is None:
            names = ", ".join(sorted(self.state.providers))
            return json_response(
                404, {"error": f"Unknown provider {head!r}; this sandbox serves {names}, lrclib."}
            )
        route, args, miss = self._match(
            request, self.lrclib_urls if head == LRCLIB else self.provider_urls, rest
        )
        error = route.error if route else _error_for(head, rest)
        with self.state.lock:
            fault = self.state.faults.take(provider=head, route=rest, answering=bool(route and route.answers))
        if fault is not None and fault.latency_ms:
            # Sleep outside the lock: a slow provider must not stall the others.
            time.sleep(fault.latency_ms / 1000)
        template = route.template if route else f"{request.method} (unknown)"
        if fault is not None and fault.kind == "down":
            self._count(generation, head, template, 0, None, fault, request)
            return _drop_connection(request)
        call = Call(request=request, state=self.state, provider=provider, fault=fault)
        if fault is not None and fault.kind == "answer" and head == LRCLIB and route is not None:
            response = json_response(200, fault.content)  # the record or list LRCLIB "has"
        else:
            response = self._answer(call, route, args, miss, error)
        if fault is not None and fault.kind == "malformed" and (fault.variant == "body" or head == LRCLIB):
            if not response.is_streamed and response.status_code == 200:
                response.set_data(truncate_json(response.get_data(as_text=True)).encode())
        self._count(generation, head, template, response.status_code, call.model, fault, request, call.digest)
        return response

    def _answer(self, call: Call, route: Route | None, args: dict, miss: int | None, error: Any) -> Response:
        fault = call.fault
        try:
            if miss is not None:
                raise error(miss, "Method not allowed" if miss == 405 else f"Not found: {call.request.path}")
            if fault is not None and fault.kind == "status":
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                problem = error(fault.status)
                raise DialectError(problem.status, problem.body, headers=headers)
            with self.state.lock:
                return route.handler(call, **args)
        except DialectError as problem:
            return json_response(problem.status, problem.body, problem.headers)
        except ClientDisconnected:
            # The client went away mid-body (a worker killed on purpose by a recovery test, a client
            # timeout): nobody reads this answer and it is no sandbox bug, so it is only counted.
            with self.state.lock:
                self.state.client_disconnects += 1
            return json_response(400, {"error": "client disconnected"})
        except Exception as failure:  # noqa: BLE001 - a sandbox bug must not look like a provider answer
            traceback.print_exc(file=sys.stderr)
            with self.state.lock:
                self.state.errors.append(f"{call.request.method} {call.request.path}: {failure!r}")
            return json_response(500, {"error": f"Internal sandbox error: {failure!r}"})

    def _match(self, request: Request, urls: Map, rest: str) -> tuple[Route | None, dict, int | None]:
        try:
            route, args = urls.bind("sandbox").match(rest, method=request.method)
            return route, args, None
        except MethodNotAllowed:
            return None, {}, 405
        except NotFound:
            return None, {}, 404

    def _count(
        self,
        generation: int,
        provider: str,
        template: str,
        status: int,
        model: str | None,
        fault: Fault | None,
        request: Request,
        digest: str | None = None,
    ) -> None:
        with self.state.lock:
            if generation != self.state.generation:
                return
            self.state.counters.record(
                provider=provider,
                route=template,
                status=status,
                model=model,
                fault=fault.kind if fault else None,
                digest=digest,
                auth="Authorization" in request.headers,
            )


def _url_map(routes: tuple[Route, ...]) -> Map:
    return Map([Rule(r.path, methods=[r.method], endpoint=r) for r in routes], strict_slashes=False)


def _error_for(head: str, rest: str) -> Any:
    if head == LRCLIB:
        return lrclib_api.error
    if rest.startswith("/v1/") or "/openai/" in rest:
        return openai_api.error
    if rest.startswith("/v2/"):
        return runpod_api.error
    return ollama_api.error


def _drop_connection(request: Request) -> Response:
    """A dead server: close our side without a byte of HTTP, so the client sees a connection error."""
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return Response(b"", status=500)
