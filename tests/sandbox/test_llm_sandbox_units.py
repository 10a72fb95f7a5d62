"""The LLM sandbox's pieces without a process: the schema filler, broken answers, the CLI's provider option."""

from __future__ import annotations

import json
import pathlib
import random
import subprocess
import sys
import tempfile
from typing import Literal

import jsonschema
import pytest
import requests
from pydantic import BaseModel, Field

from sandbox.llm.answers import Want, answer, break_schema, truncate_json
from sandbox.llm.schema_fill import SchemaError, fill_schema
from sandbox.llm.state import parse_provider


PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]


class Flag(BaseModel):
    kind: Literal["profanity", "violence", "substances"]
    severity: int = Field(ge=1, le=5)
    line: str | None = None


class Node(BaseModel):
    name: str = Field(min_length=3, max_length=12)
    children: list[Node] = []


class Analysis(BaseModel):
    mood: Literal["joyful", "melancholic", "angry"]
    energy: float = Field(ge=0, le=1)
    tags: list[str] = Field(min_length=1, max_length=5)
    flags: list[Flag]
    summary: str = Field(max_length=200)
    language: str | None = Field(default=None, pattern="^[a-z]{2}$")
    code: str = Field(pattern=r"^[A-Z]{2}-\d{3}$")
    score: int = Field(gt=0, lt=10, multiple_of=2)
    tree: Node


HAND_WRITTEN = {
    "type": "object",
    "properties": {
        "exact": {"type": ["string", "null"], "minLength": 10, "maxLength": 10},
        "distinct": {"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": True, "minItems": 3},
        "fixed": {"const": "x"},
        "merged": {
            "allOf": [
                {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
                {"properties": {"y": {"type": "boolean"}}, "required": ["y"]},
            ]
        },
        "open_interval": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "when": {"type": "string", "format": "date-time"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
        "long": {"type": "string", "minLength": 120},
    },
    "required": ["exact", "distinct", "fixed", "merged", "open_interval", "when", "counts", "pair", "long"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    "schema",
    [Analysis.model_json_schema(), Node.model_json_schema(), HAND_WRITTEN],
    ids=["pydantic-with-defs-and-refs", "recursive", "hand-written"],
)
def test_filled_documents_validate_for_many_seeds(schema):
    validator = jsonschema.Draft202012Validator(schema)

    failures = [
        seed for seed in range(300) if not validator.is_valid(fill_schema(schema, random.Random(seed)))
    ]

    assert failures == []


def test_the_same_seed_fills_the_same_document():
    schema = Analysis.model_json_schema()

    assert fill_schema(schema, random.Random(5)) == fill_schema(schema, random.Random(5))
    assert fill_schema(schema, random.Random(5)) != fill_schema(schema, random.Random(6))


@pytest.mark.parametrize(
    "schema",
    [{"enum": []}, {"type": "string", "minLength": 5, "maxLength": 2}, {"$ref": "#/$defs/missing"}, False],
)
def test_unsatisfiable_schemas_raise_schema_error(schema):
    with pytest.raises(SchemaError):
        fill_schema(schema, random.Random(1))


def test_an_unsatisfiable_schema_in_a_request_is_a_400(llm_sandbox_url):
    response = requests.post(
        f"{llm_sandbox_url}/a/v1/chat/completions",
        json={
            "model": "m1",
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": {"enum": []}}},
        },
        timeout=10,
    )

    assert response.status_code == 400
    assert "Invalid JSON schema" in response.json()["error"]["message"]


@pytest.mark.parametrize("seed", range(20))
def test_broken_answers_always_break_the_schema(seed):
    schema = Analysis.model_json_schema()
    want = Want("schema", schema)
    reply = answer(
        seed=seed, model="m", messages=[{"role": "user", "content": "x"}], want=want, malformed="schema"
    )

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(reply.content), schema)
    with pytest.raises(ValueError):
        json.loads(truncate_json(json.dumps(fill_schema(schema, random.Random(seed)))))


def test_break_schema_for_json_mode_is_not_an_object():
    assert not isinstance(break_schema({"answer": "x"}, Want("json")), dict)


@pytest.mark.parametrize(
    ("spec", "name", "models"),
    [
        ("primary:llama-3.1-70b-instruct", "primary", ("llama-3.1-70b-instruct",)),
        ("local:llama3.1:8b,qwen2.5:7b", "local", ("llama3.1:8b", "qwen2.5:7b")),
    ],
)
def test_provider_specs_split_on_the_first_colon(spec, name, models):
    provider = parse_provider(spec)

    assert (provider.name, provider.models) == (name, models)


@pytest.mark.parametrize("spec", ["nomodels", "x:", "_llm:m", "lrclib:m", "bad name:m"])
def test_bad_provider_specs_are_refused(spec):
    with pytest.raises(ValueError):
        parse_provider(spec)


def test_the_cli_refuses_a_bad_provider_with_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.llm", "--port", "0", "--provider", "oops"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "Bad provider" in result.stderr


@pytest.fixture(scope="module")
def llm_sandbox_url():
    """A second, small process with custom providers, to check the CLI options end to end."""
    # Imported here, not at the top: the module is also a pytest plugin, which pytest must load first.
    from tests.fixtures.llm_sandbox import start_llm_sandbox, stop_llm_sandbox

    with tempfile.TemporaryFile() as log:
        process, sandbox = start_llm_sandbox(
            log, "--provider", "a:m1,m2", "--provider", "b:m3", "--scale", "0.05", "--seed", "9"
        )
        try:
            yield sandbox.url
        finally:
            stop_llm_sandbox(process)


def test_cli_providers_and_seed_are_served(llm_sandbox_url):
    health = requests.get(f"{llm_sandbox_url}/_llm/health", timeout=10).json()
    models = requests.get(f"{llm_sandbox_url}/a/v1/models", timeout=10).json()

    assert [p["name"] for p in health["providers"]] == ["a", "b"]
    assert health["seed"] == 9 and health["lyrics_tracks"] < 5000
    assert [m["id"] for m in models["data"]] == ["m1", "m2"]
    assert requests.get(f"{llm_sandbox_url}/primary/v1/models", timeout=10).status_code == 404


def test_the_llm_sandbox_runs_without_importing_django():
    probe = "import sys, sandbox.llm.cli, sandbox.llm.app; print('django' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.stdout.strip() == "False", result.stderr
