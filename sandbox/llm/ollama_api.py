"""The Ollama-compatible dialect at `/{provider}`: `/api/tags`, `/api/chat`, `/api/version`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from werkzeug.wrappers import Response

from sandbox.llm.answers import Answer, BadRequest, Want, answer
from sandbox.llm.web import Call, DialectError, json_response, now_iso, pieces, stream_response

VERSION = "0.12.6"
MODEL_AGE = dt.timedelta(days=31)


def error(status: int, message: str | None = None) -> DialectError:
    return DialectError(status, {"error": message or _default(status)})


def root(call: Call, **_: Any) -> Response:
    return Response("Ollama is running", content_type="text/plain; charset=utf-8")


def version(call: Call, **_: Any) -> Response:
    return json_response(200, {"version": VERSION})


def tags(call: Call, **_: Any) -> Response:
    return json_response(200, {"models": [_tag(model) for model in call.provider.models]})


def chat(call: Call, **_: Any) -> Response:
    body = call.json(error)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise error(400, "model is required")
    call.model = model
    if call.model_missing or not call.provider.knows(model):
        raise error(404, f"model '{model}' not found")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise error(400, "options must be an object")
    max_tokens = options.get("num_predict")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        max_tokens = None  # Ollama: -1 (or unset) means no limit
    try:
        reply = answer(
            seed=call.state.seed,
            model=model,
            messages=body.get("messages"),
            want=want_from(body.get("format")),
            max_tokens=max_tokens,
            malformed=call.malformed,
            scripted=call.scripted,
            knowledge=call.state.lyrics,
        )
    except BadRequest as problem:
        raise error(400, str(problem)) from None
    call.digest = reply.digest
    # Ollama streams unless told otherwise.
    if body.get("stream", True) is not False:
        return stream_response(_ndjson(model, reply), "application/x-ndjson")
    return json_response(200, _final(model, reply, content=reply.content))


def want_from(fmt: Any) -> Want:
    if fmt is None or fmt == "":
        return Want("text")
    if fmt == "json":
        return Want("json")
    if isinstance(fmt, dict):
        return Want("schema", fmt)
    raise error(400, f'invalid format: {json.dumps(fmt)}; expected "json" or a JSON schema object')


def _final(model: str, reply: Answer, *, content: str) -> dict[str, Any]:
    # Durations in nanoseconds, derived from the token counts so they stay stable.
    prompt_ns = reply.prompt_tokens * 400_000
    eval_ns = reply.completion_tokens * 20_000_000
    return {
        "model": model,
        "created_at": now_iso(nanos=True),
        "message": {"role": "assistant", "content": content},
        "done_reason": "length" if reply.finish_reason == "length" else "stop",
        "done": True,
        "total_duration": 5_000_000 + prompt_ns + eval_ns,
        "load_duration": 5_000_000,
        "prompt_eval_count": reply.prompt_tokens,
        "prompt_eval_duration": prompt_ns,
        "eval_count": reply.completion_tokens,
        "eval_duration": eval_ns,
    }


def _ndjson(model: str, reply: Answer):
    for piece in pieces(reply.content):
        chunk = {
            "model": model,
            "created_at": now_iso(nanos=True),
            "message": {"role": "assistant", "content": piece},
            "done": False,
        }
        yield json.dumps(chunk, ensure_ascii=False) + "\n"
    yield json.dumps(_final(model, reply, content=""), ensure_ascii=False) + "\n"


def _tag(model: str) -> dict[str, Any]:
    digest = hashlib.sha256(model.encode()).hexdigest()
    size = _parameter_size(model)
    return {
        "name": model,
        "model": model,
        # Pulled a month ago, whatever today is: a fixed day would drift into the past (or future).
        "modified_at": (dt.datetime.now(dt.UTC) - MODEL_AGE).strftime("%Y-%m-%dT12:00:00.000000000Z"),
        "size": int(float(size[:-1] or 8) * 600_000_000),
        "digest": digest,
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": size,
            "quantization_level": "Q4_K_M",
        },
    }


def _parameter_size(model: str) -> str:
    for part in model.replace(":", "-").split("-"):
        if part[:-1].replace(".", "", 1).isdigit() and part[-1:].lower() == "b":
            return part[:-1] + "B"
    return "8B"


def _default(status: int) -> str:
    return {429: "too many requests", 500: "internal server error", 503: "server busy, please try again"}.get(
        status, f"error {status}"
    )
