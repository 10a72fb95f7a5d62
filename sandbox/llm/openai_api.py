"""The OpenAI-compatible dialect (`/{provider}/v1`, and RunPod's `/{provider}/v2/{id}/openai/v1`)."""

from __future__ import annotations

import json
import time
from http import HTTPStatus
from typing import Any

from werkzeug.wrappers import Response

from sandbox.llm.answers import Answer, BadRequest, Want, answer
from sandbox.llm.web import Call, DialectError, json_response, pieces, stream_response

ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
MESSAGES = {
    429: "Rate limit reached for requests. Please try again later.",
    500: "The server had an error while processing your request. Sorry about that!",
    503: "The engine is currently overloaded, please try again later.",
}


def error(
    status: int, message: str | None = None, *, code: str | None = None, param: str | None = None
) -> DialectError:
    kind, default_code = ERROR_TYPES.get(status, ("server_error", None))
    text = message or MESSAGES.get(status) or _phrase(status)
    return DialectError(
        status, {"error": {"message": text, "type": kind, "param": param, "code": code or default_code}}
    )


def model_not_found(model: str) -> DialectError:
    return error(
        404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
    )


def list_models(call: Call, **_: Any) -> Response:
    created = int(call.state.started)
    data = [
        {"id": model, "object": "model", "created": created, "owned_by": f"sandbox-{call.provider.name}"}
        for model in call.provider.models
    ]
    return json_response(200, {"object": "list", "data": data})


def chat_completions(call: Call, **_: Any) -> Response:
    body = call.json(error)
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise error(400, "you must provide a model parameter", param="model")
    call.model = model
    if call.model_missing or not call.provider.knows(model):
        raise model_not_found(model)
    want = want_from(body.get("response_format"))
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise error(400, "max_tokens must be a positive integer.", param="max_tokens")
    try:
        reply = answer(
            seed=call.state.seed,
            model=model,
            messages=body.get("messages"),
            want=want,
            max_tokens=max_tokens,
            malformed=call.malformed,
            scripted=call.scripted,
            knowledge=call.state.lyrics,
        )
    except BadRequest as problem:
        raise error(400, str(problem)) from None
    call.digest = reply.digest
    completion_id = f"chatcmpl-{reply.digest[:24]}"
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return stream_response(_sse(completion_id, model, reply, include_usage), "text/event-stream")
    return json_response(200, completion(completion_id, model, reply))


def completion(completion_id: str, model: str, reply: Answer) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_sandbox",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content, "refusal": None},
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": usage(reply),
    }


def usage(reply: Answer) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def want_from(response_format: Any) -> Want:
    if response_format is None:
        return Want("text")
    if not isinstance(response_format, dict):
        raise error(400, "response_format must be an object.", param="response_format")
    kind = response_format.get("type")
    if kind == "text":
        return Want("text")
    if kind == "json_object":
        return Want("json")
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"]:
            raise error(
                400,
                "Missing required parameter: 'response_format.json_schema.name'.",
                param="response_format.json_schema.name",
            )
        schema = spec.get("schema")
        if schema is None:
            return Want("json")
        if not isinstance(schema, dict):
            raise error(400, "response_format.json_schema.schema must be an object.", param="response_format")
        return Want("schema", schema)
    raise error(
        400,
        f"Invalid value: {kind!r}. Supported values are: 'text', 'json_object' and 'json_schema'.",
        param="response_format.type",
    )


def _sse(completion_id: str, model: str, reply: Answer, include_usage: bool):
    created = int(time.time())

    def event(delta: dict, finish: str | None, extra: dict | None = None) -> str:
        chunk = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_sandbox",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **(extra or {}),
        }
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""}, None)
    for piece in pieces(reply.content):
        yield event({"content": piece}, None)
    yield event({}, reply.finish_reason)
    if include_usage:
        final = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model}
        yield f"data: {json.dumps({**final, 'choices': [], 'usage': usage(reply)})}\n\n"
    yield "data: [DONE]\n\n"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
