"""The real local LLM (SmolLM2-135M behind llama-cpp-python's server), driven as the router drives
a provider: the openai SDK, no retries, a JSON schema for the answer."""

from __future__ import annotations

import json
import time

import jsonschema
import openai
import pytest
import requests

pytestmark = pytest.mark.local_llm

MOODS = ["joyful", "melancholic", "angry", "calm", "romantic", "defiant", "nostalgic", "hopeful"]
# Shaped like a song analysis. llama.cpp turns the schema into a grammar that forces the shape:
# keys, types, enums, array and string lengths (the lengths also bound the answer's size). It
# does not enforce minimum/maximum, so `energy` carries none here: the router has to validate
# ranges itself and treat an out-of-range answer as invalid.
ANALYSIS_SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": MOODS},
        "energy": {"type": "number"},
        "themes": {
            "type": "array",
            "items": {"type": "string", "maxLength": 30},
            "minItems": 1,
            "maxItems": 4,
        },
        "summary": {"type": "string", "maxLength": 200},
    },
    "required": ["mood", "energy", "themes", "summary"],
    "additionalProperties": False,
}
SYSTEM = (
    "You analyse songs. Answer with JSON only: mood (one of "
    + ", ".join(MOODS)
    + "), energy from 0 to 1, up to 4 themes, a one-sentence summary."
)


@pytest.fixture(scope="module")
def client(local_llm) -> openai.OpenAI:
    return openai.OpenAI(base_url=local_llm.openai_base_url, api_key="not-needed", max_retries=0, timeout=60)


def _analyse(client: openai.OpenAI, model: str, song: str, response_format: dict):
    return client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": f"Song: {song}."}],
        response_format=response_format,  # type: ignore[arg-type]  # llama.cpp's own form, see below
        temperature=0,
        max_tokens=256,
    )


def test_models_lists_the_served_model_for_the_health_check(local_llm, client):
    ids = [model.id for model in client.models.list().data]

    assert ids == [local_llm.model]
    assert local_llm.model == "smollm2-135m-instruct"  # scripts/local_llm.sh's --model_alias


@pytest.mark.parametrize(
    "song", ['"Here Comes the Sun" by The Beatles', '"Hurt" by Johnny Cash', '"Creep" by Radiohead']
)
def test_schema_constrained_chat_completion_returns_json_valid_for_the_schema(local_llm, client, song):
    # llama-cpp-python takes the schema as {"type": "json_object", "schema": ...}, not as
    # OpenAI's {"type": "json_schema", "json_schema": {...}} (see the next test).
    response = _analyse(client, local_llm.model, song, {"type": "json_object", "schema": ANALYSIS_SCHEMA})

    choice = response.choices[0]
    assert choice.finish_reason == "stop", choice
    answer = json.loads(choice.message.content)
    jsonschema.validate(answer, ANALYSIS_SCHEMA)
    assert response.usage is not None and response.usage.completion_tokens > 0


def test_openai_json_schema_response_format_is_refused_with_a_500(local_llm, client):
    """llama-cpp-python 0.3.36 knows only "text" and "json_object": OpenAI's json_schema form fails
    request validation, reported as HTTP 500, so a provider that sends it sees a server error."""
    with pytest.raises(openai.InternalServerError) as refused:
        _analyse(
            client,
            local_llm.model,
            '"Hurt" by Johnny Cash',
            {"type": "json_schema", "json_schema": {"name": "analysis", "schema": ANALYSIS_SCHEMA}},
        )

    assert refused.value.status_code == 500
    assert "json_object" in str(refused.value)


def test_the_script_prints_its_ready_line_once_models_answers(local_llm):
    assert requests.get(f"{local_llm.openai_base_url}/models", timeout=5).ok
    deadline = time.monotonic() + 10
    while "local_llm: ready at " not in local_llm.log() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert f"local_llm: ready at {local_llm.openai_base_url} (model {local_llm.model}," in local_llm.log()
