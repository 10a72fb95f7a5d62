"""RunPod Serverless (vLLM worker) at `/{provider}/v2/{endpoint_id}`: `/health`, `/runsync`, `/run`, `/status/{id}`.

`/runsync` follows runpod-workers/worker-vllm: `{"input": {"messages"|"prompt", "sampling_params"}}`
answers `{"id", "status": "COMPLETED", "output": [{"choices": [{"tokens": [text]}], "usage":
{"input": n, "output": n}}], "delayTime", "executionTime", "workerId"}`. A worker-side failure
(here: an unknown model, i.e. the `model_not_found` fault) is a 200 with `"status": "FAILED"` and
`"error"`, as RunPod reports failed jobs. Structured output: `sampling_params.guided_json`,
`sampling_params.guided_decoding.json` or `sampling_params.structured_outputs.json` (a JSON schema),
or `input.response_format` in OpenAI's shape. The endpoint serves its provider's first model.
The `queued` fault makes `/runsync` answer `{"id", "status": "IN_QUEUE"}` (a job that outlasted
RunPod's wait); `/status/{id}` then has the finished job.
"""

from __future__ import annotations

import uuid
from typing import Any

from werkzeug.wrappers import Response

from sandbox.llm import openai_api
from sandbox.llm.answers import BadRequest, Want, answer
from sandbox.llm.web import Call, DialectError, json_response

# Finished jobs kept for /status/{id}, per provider (RunPod keeps them for a minute or more).
KEEP_RESULTS = 500


def error(status: int, message: str | None = None) -> DialectError:
    return DialectError(status, {"error": message or _default(status)})


def health(call: Call, *, endpoint_id: str) -> Response:
    jobs = call.provider.jobs
    return json_response(
        200,
        {
            "jobs": {
                "completed": jobs["completed"],
                "failed": jobs["failed"],
                "inProgress": jobs["inProgress"],
                "inQueue": 0,
                "retried": 0,
            },
            "workers": dict(call.provider.workers),
        },
    )


def runsync(call: Call, *, endpoint_id: str) -> Response:
    job = _run_job(call, prefix="sync")
    if call.fault is not None and call.fault.kind == "queued":
        # The job outlasted RunPod's wait: the client follows it on /status/{id}.
        return json_response(200, {"id": job["id"], "status": "IN_QUEUE"})
    return json_response(200, job)


def run(call: Call, *, endpoint_id: str) -> Response:
    """The asynchronous submit: always IN_QUEUE; the finished job is on /status/{id} at once."""
    job = _run_job(call, prefix="async")
    return json_response(200, {"id": job["id"], "status": "IN_QUEUE"})


def status(call: Call, *, endpoint_id: str, job_id: str) -> Response:
    job = call.provider.results.get(job_id)
    if job is None:
        raise error(404, f"Job {job_id} not found.")
    return json_response(200, job)


def _run_job(call: Call, *, prefix: str) -> dict[str, Any]:
    body = call.json(error)
    job = body.get("input")
    if not isinstance(job, dict):
        raise error(400, "Missing or invalid 'input' in the request body.")
    model = call.provider.models[0]
    call.model = model
    job_id = f"{prefix}-{uuid.uuid4()}-u1"
    if call.model_missing:
        return _finish(call, _failed(call, job_id, f"Model '{model}' not found on this worker."))
    messages = job.get("messages")
    if messages is None and isinstance(job.get("prompt"), str):
        messages = [{"role": "user", "content": job["prompt"]}]
    params = job.get("sampling_params") or {}
    if not isinstance(params, dict):
        return _finish(call, _failed(call, job_id, "sampling_params must be an object."))
    max_tokens = params.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        max_tokens = None
    try:
        reply = answer(
            seed=call.state.seed,
            model=model,
            messages=messages,
            want=_want(job, params),
            max_tokens=max_tokens,
            malformed=call.malformed,
            scripted=call.scripted,
            knowledge=call.state.lyrics,
        )
    except (BadRequest, DialectError) as problem:
        message = problem.body["error"]["message"] if isinstance(problem, DialectError) else str(problem)
        return _finish(call, _failed(call, job_id, message))
    call.digest = reply.digest
    call.provider.jobs["completed"] += 1
    output = [
        {
            "choices": [{"tokens": [reply.content]}],
            "usage": {"input": reply.prompt_tokens, "output": reply.completion_tokens},
        }
    ]
    return _finish(
        call,
        {
            "delayTime": 12,
            "executionTime": 40 + reply.completion_tokens * 20,
            "id": job_id,
            "output": output,
            "status": "COMPLETED",
            "workerId": _worker(call),
        },
    )


def _finish(call: Call, job: dict[str, Any]) -> dict[str, Any]:
    results = call.provider.results
    results[job["id"]] = job
    while len(results) > KEEP_RESULTS:
        results.pop(next(iter(results)))
    return job


def _want(job: dict, params: dict) -> Want:
    if "response_format" in job:
        return openai_api.want_from(job["response_format"])
    for key, inner in (("guided_json", None), ("guided_decoding", "json"), ("structured_outputs", "json")):
        value = params.get(key)
        if value is None:
            continue
        schema = value.get(inner) if inner and isinstance(value, dict) else value
        if isinstance(schema, dict):
            return Want("schema", schema)
        raise BadRequest(f"sampling_params.{key} must hold a JSON schema object.")
    return Want("text")


def _failed(call: Call, job_id: str, message: str) -> dict[str, Any]:
    call.provider.jobs["failed"] += 1
    return {
        "delayTime": 12,
        "executionTime": 5,
        "id": job_id,
        "status": "FAILED",
        "error": message,
        "workerId": _worker(call),
    }


def _worker(call: Call) -> str:
    return f"sandbox-{call.provider.name}"


def _default(status: int) -> str:
    return {429: "Too many requests.", 500: "Internal server error.", 503: "No workers available."}.get(
        status, f"Error {status}."
    )
