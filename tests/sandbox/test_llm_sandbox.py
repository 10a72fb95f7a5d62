"""The LLM sandbox's three dialects as real clients see them: the openai SDK, Ollama's and RunPod's HTTP APIs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import jsonschema
import openai
import pytest
import requests

if TYPE_CHECKING:
    from tests.fixtures.llm_sandbox import LlmSandbox

# Idempotent once tests/conftest.py lists the plugin too (pytest loads a plugin module once).

# The sandbox's default providers: primary serves PRIMARY_MODEL, fallback FALLBACK_MODEL.
PRIMARY_MODEL, FALLBACK_MODEL = "llama-3.1-70b-instruct", "llama3.1:8b"

SONG_SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": ["joyful", "melancholic", "angry", "calm"]},
        "energy": {"type": "integer", "minimum": 1, "maximum": 10},
        "danceability": {"type": "number", "minimum": 0, "maximum": 1},
        "themes": {
            "type": "array",
            "items": {"type": "string", "minLength": 3, "maxLength": 20},
            "minItems": 1,
            "maxItems": 4,
        },
        "explicit": {"type": "boolean"},
        "summary": {"type": "string", "maxLength": 140},
        "flags": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"enum": ["profanity", "violence"]},
                    "line": {"type": ["string", "null"]},
                },
                "required": ["kind", "line"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["mood", "energy", "danceability", "themes", "explicit", "summary", "flags"],
    "additionalProperties": False,
}
MESSAGES = [
    {"role": "system", "content": "You label songs. Answer with JSON only."},
    {"role": "user", "content": "Label 'Savage Garden' by Aiko Castillo."},
]


def client(base_url: str, **options) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sandbox-key", max_retries=0, **options)


def schema_format(schema: dict = SONG_SCHEMA) -> dict:
    return {"type": "json_schema", "json_schema": {"name": "song_labels", "schema": schema, "strict": True}}


def test_openai_chat_with_a_json_schema_answers_a_document_that_validates(fresh_llm_sandbox: LlmSandbox):
    sdk = client(fresh_llm_sandbox.openai_url("primary"))

    completion = sdk.chat.completions.create(
        model=PRIMARY_MODEL,
        messages=MESSAGES,
        response_format=schema_format(),
        max_tokens=400,
        temperature=0.2,
    )

    document = json.loads(completion.choices[0].message.content)
    jsonschema.validate(document, SONG_SCHEMA)
    assert completion.model == PRIMARY_MODEL
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


def test_openai_json_object_mode_answers_a_json_object_and_no_format_answers_text(
    fresh_llm_sandbox: LlmSandbox,
):
    sdk = client(fresh_llm_sandbox.openai_url())

    as_json = sdk.chat.completions.create(
        model=PRIMARY_MODEL, messages=MESSAGES, response_format={"type": "json_object"}
    )
    as_text = sdk.chat.completions.create(model=PRIMARY_MODEL, messages=MESSAGES)

    assert isinstance(json.loads(as_json.choices[0].message.content), dict)
    assert "Savage Garden" in as_text.choices[0].message.content
    with pytest.raises(ValueError):
        json.loads(as_text.choices[0].message.content)


def test_openai_plain_text_stops_at_max_tokens_with_finish_reason_length(fresh_llm_sandbox: LlmSandbox):
    completion = client(fresh_llm_sandbox.openai_url()).chat.completions.create(
        model=PRIMARY_MODEL, messages=MESSAGES, max_tokens=3
    )

    assert completion.choices[0].finish_reason == "length"
    assert len(completion.choices[0].message.content) <= 12


def test_openai_models_lists_the_provider_model_ids(fresh_llm_sandbox: LlmSandbox):
    primary = client(fresh_llm_sandbox.openai_url("primary")).models.list()
    fallback = client(fresh_llm_sandbox.openai_url("fallback")).models.list()

    assert [m.id for m in primary.data] == [PRIMARY_MODEL]
    assert [m.id for m in fallback.data] == [FALLBACK_MODEL]


def test_openai_unknown_model_is_a_404_with_code_model_not_found(fresh_llm_sandbox: LlmSandbox):
    with pytest.raises(openai.NotFoundError) as raised:
        client(fresh_llm_sandbox.openai_url()).chat.completions.create(
            model="gpt-nonexistent", messages=MESSAGES
        )

    assert raised.value.status_code == 404
    assert raised.value.code == "model_not_found"
    assert raised.value.body["type"] == "invalid_request_error"


def test_openai_json_schema_without_a_name_is_a_400(fresh_llm_sandbox: LlmSandbox):
    with pytest.raises(openai.BadRequestError, match="json_schema.name"):
        client(fresh_llm_sandbox.openai_url()).chat.completions.create(
            model=PRIMARY_MODEL,
            messages=MESSAGES,
            response_format={"type": "json_schema", "json_schema": {"schema": SONG_SCHEMA}},
        )


def test_openai_streaming_yields_chunks_that_join_to_the_full_answer(fresh_llm_sandbox: LlmSandbox):
    sdk = client(fresh_llm_sandbox.openai_url())
    whole = sdk.chat.completions.create(
        model=PRIMARY_MODEL, messages=MESSAGES, response_format=schema_format()
    )

    stream = sdk.chat.completions.create(
        model=PRIMARY_MODEL, messages=MESSAGES, response_format=schema_format(), stream=True
    )
    streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

    assert streamed == whole.choices[0].message.content


def test_the_same_prompt_gets_the_same_answer_and_another_prompt_or_model_another(
    fresh_llm_sandbox: LlmSandbox,
):
    sdk = client(fresh_llm_sandbox.openai_url())
    fresh_llm_sandbox.configure_provider("primary", models=[PRIMARY_MODEL, "llama-3.1-8b-instruct"])

    def ask(messages, model=PRIMARY_MODEL):
        completion = sdk.chat.completions.create(
            model=model, messages=messages, response_format=schema_format()
        )
        return completion.choices[0].message.content

    first = ask(MESSAGES)
    other_prompt = ask([*MESSAGES[:1], {"role": "user", "content": "Label 'Leaving' by Aiko Castillo."}])
    other_model = ask(MESSAGES, model="llama-3.1-8b-instruct")

    assert ask(MESSAGES) == first
    assert other_prompt != first
    assert other_model != first


def test_ollama_chat_with_a_schema_format_answers_a_document_that_validates(fresh_llm_sandbox: LlmSandbox):
    response = requests.post(
        f"{fresh_llm_sandbox.ollama_url('fallback')}/api/chat",
        json={
            "model": FALLBACK_MODEL,
            "messages": MESSAGES,
            "stream": False,
            "format": SONG_SCHEMA,
            "options": {"temperature": 0},
        },
        timeout=10,
    )

    body = response.json()
    assert response.status_code == 200
    assert body["model"] == FALLBACK_MODEL and body["done"] is True
    assert body["message"]["role"] == "assistant"
    jsonschema.validate(json.loads(body["message"]["content"]), SONG_SCHEMA)
    assert body["prompt_eval_count"] > 0 and body["eval_count"] > 0


def test_ollama_json_format_answers_json_and_streaming_is_ndjson(fresh_llm_sandbox: LlmSandbox):
    url = f"{fresh_llm_sandbox.ollama_url()}/api/chat"
    request = {"model": FALLBACK_MODEL, "messages": MESSAGES, "format": "json"}

    whole = requests.post(url, json={**request, "stream": False}, timeout=10).json()
    lines = [json.loads(line) for line in requests.post(url, json=request, timeout=10).text.splitlines()]

    assert isinstance(json.loads(whole["message"]["content"]), dict)
    assert "".join(line["message"]["content"] for line in lines) == whole["message"]["content"]
    assert [line["done"] for line in lines][-2:] == [False, True]


def test_ollama_tags_lists_models_and_an_unknown_model_is_a_404(fresh_llm_sandbox: LlmSandbox):
    base = fresh_llm_sandbox.ollama_url("fallback")

    tags = requests.get(f"{base}/api/tags", timeout=10).json()
    missing = requests.post(
        f"{base}/api/chat", json={"model": "mistral:7b", "messages": MESSAGES, "stream": False}, timeout=10
    )

    assert [m["name"] for m in tags["models"]] == [FALLBACK_MODEL]
    assert tags["models"][0]["details"]["parameter_size"] == "8B"
    assert missing.status_code == 404
    assert missing.json() == {"error": "model 'mistral:7b' not found"}


def test_any_provider_speaks_every_dialect(fresh_llm_sandbox: LlmSandbox):
    ollama_on_primary = requests.post(
        f"{fresh_llm_sandbox.ollama_url('primary')}/api/chat",
        json={"model": PRIMARY_MODEL, "messages": MESSAGES, "stream": False},
        timeout=10,
    )
    openai_on_fallback = client(fresh_llm_sandbox.openai_url("fallback")).chat.completions.create(
        model=FALLBACK_MODEL, messages=MESSAGES
    )

    assert ollama_on_primary.status_code == 200
    assert openai_on_fallback.model == FALLBACK_MODEL


def test_runpod_health_reports_jobs_and_workers(fresh_llm_sandbox: LlmSandbox):
    url = f"{fresh_llm_sandbox.runpod_url('primary', 'ep-123')}"
    requests.post(f"{url}/runsync", json={"input": {"prompt": "Hello"}}, timeout=10)

    health = requests.get(f"{url}/health", timeout=10).json()

    assert health["jobs"] == {"completed": 1, "failed": 0, "inProgress": 0, "inQueue": 0, "retried": 0}
    assert set(health["workers"]) >= {"idle", "running", "ready", "initializing", "throttled", "unhealthy"}
    assert health["workers"]["idle"] == 1


def test_runpod_workers_can_be_set_to_look_cold(fresh_llm_sandbox: LlmSandbox):
    fresh_llm_sandbox.configure_provider("primary", workers={"idle": 0, "ready": 0, "initializing": 1})

    health = requests.get(f"{fresh_llm_sandbox.runpod_url()}/health", timeout=10).json()

    assert health["workers"]["idle"] == 0 and health["workers"]["initializing"] == 1


def test_runpod_runsync_answers_in_the_vllm_worker_shape(fresh_llm_sandbox: LlmSandbox):
    response = requests.post(
        f"{fresh_llm_sandbox.runpod_url()}/runsync",
        json={
            "input": {
                "messages": MESSAGES,
                "sampling_params": {"max_tokens": 400, "temperature": 0, "guided_json": SONG_SCHEMA},
            }
        },
        headers={"Authorization": "Bearer runpod-key"},
        timeout=10,
    )

    body = response.json()
    assert response.status_code == 200 and body["status"] == "COMPLETED"
    assert body["id"].startswith("sync-")
    [batch] = body["output"]
    jsonschema.validate(json.loads(batch["choices"][0]["tokens"][0]), SONG_SCHEMA)
    assert batch["usage"]["input"] > 0 and batch["usage"]["output"] > 0


def test_runpod_run_queues_a_job_and_status_answers_it(fresh_llm_sandbox: LlmSandbox):
    url = fresh_llm_sandbox.runpod_url()

    submitted = requests.post(f"{url}/run", json={"input": {"prompt": "Hello"}}, timeout=10).json()
    job = requests.get(f"{url}/status/{submitted['id']}", timeout=10).json()
    unknown = requests.get(f"{url}/status/no-such-job", timeout=10)

    assert submitted["status"] == "IN_QUEUE"
    assert job["status"] == "COMPLETED" and job["output"][0]["choices"][0]["tokens"][0]
    assert unknown.status_code == 404


def test_runpod_openai_route_works_with_the_openai_sdk(fresh_llm_sandbox: LlmSandbox):
    sdk = client(fresh_llm_sandbox.runpod_openai_url("primary", "ep-123"))

    completion = sdk.chat.completions.create(
        model=PRIMARY_MODEL, messages=MESSAGES, response_format=schema_format()
    )

    jsonschema.validate(json.loads(completion.choices[0].message.content), SONG_SCHEMA)
    assert [m.id for m in sdk.models.list().data] == [PRIMARY_MODEL]


def test_counters_count_requests_per_provider_route_and_status(fresh_llm_sandbox: LlmSandbox):
    sdk = client(fresh_llm_sandbox.openai_url())
    sdk.chat.completions.create(model=PRIMARY_MODEL, messages=MESSAGES)
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model="nope", messages=MESSAGES)
    requests.get(f"{fresh_llm_sandbox.ollama_url()}/api/tags", timeout=10)

    counters = fresh_llm_sandbox.counters()

    assert counters["by_provider"] == {"fallback": 1, "primary": 2}
    assert counters["by_route"]["primary POST /v1/chat/completions"] == 2
    assert counters["by_provider_status"]["primary"] == {"200": 1, "404": 1}
    assert counters["by_model"]["primary/" + PRIMARY_MODEL] == 1
    assert counters["recent"][0]["auth"] is True
    assert fresh_llm_sandbox.requests_to("primary") == 2


def test_reset_restores_models_and_clears_faults_and_counters(fresh_llm_sandbox: LlmSandbox):
    fresh_llm_sandbox.configure_provider("primary", models=["other-model"])
    fresh_llm_sandbox.fault(provider="primary", kind="status", status=500)
    requests.get(f"{fresh_llm_sandbox.openai_url()}/models", timeout=10)

    fresh_llm_sandbox.reset()

    assert fresh_llm_sandbox.providers()["primary"]["models"] == [PRIMARY_MODEL]
    assert fresh_llm_sandbox.faults() == []
    assert fresh_llm_sandbox.counters()["total"] == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"provider": "nobody", "kind": "down"},
        {"provider": "primary", "kind": "explode"},
        {"provider": "primary", "kind": "down", "count": 0},
        {"provider": "primary", "kind": "status", "status": 200},
        {"provider": "primary", "kind": "slow", "latency_ms": -5},
        {"provider": "primary", "kind": "malformed", "variant": "weird"},
        {"provider": "primary", "kind": "down", "route": "v1/*"},
        {"provider": "primary", "kind": "down", "colour": "red"},
        ["not", "an", "object"],
    ],
)
def test_the_control_api_rejects_bad_faults_with_400(fresh_llm_sandbox: LlmSandbox, payload):
    response = requests.post(f"{fresh_llm_sandbox.url}/_llm/faults", json=payload, timeout=10)

    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert fresh_llm_sandbox.faults() == []


def test_unknown_provider_is_a_404(fresh_llm_sandbox: LlmSandbox):
    response = requests.get(f"{fresh_llm_sandbox.url}/nobody/v1/models", timeout=10)

    assert response.status_code == 404
    assert "Unknown provider" in response.json()["error"]
