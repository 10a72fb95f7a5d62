"""LLM_PROVIDERS: checked when the settings load (naming the bad entry), upserted by sync_llm_providers."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config.env import _LLM_JSON_MODES, llm_providers
from llm.models import JsonMode, Provider
from tests.llm.factories import ProviderFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-env-secret-987654321"
VALID = [
    {"name": "runpod", "kind": "openai", "base_url": "https://api.runpod.ai/v2/abc123/openai/v1/",
     "model": "meta-llama/Llama-3.1-70B-Instruct", "api_key": SECRET, "priority": 10, "read_timeout": 90},
    {"name": "local", "kind": "ollama", "base_url": "http://ollama:11434", "model": "llama3.1:8b",
     "priority": 20, "enabled": False},
]  # fmt: skip


def parse(monkeypatch, value) -> list[dict]:
    monkeypatch.setenv("LLM_PROVIDERS", value if isinstance(value, str) else json.dumps(value))
    return llm_providers("LLM_PROVIDERS")


# --- the validator ----------------------------------------------------------------------------------
def test_a_valid_list_is_parsed_with_its_urls_trimmed(monkeypatch):
    first, second = parse(monkeypatch, VALID)

    assert first["base_url"] == "https://api.runpod.ai/v2/abc123/openai/v1"
    assert (first["api_key"], first["read_timeout"], first["priority"]) == (SECRET, 90.0, 10)
    assert (second["enabled"], "api_key" in second) == (False, False)


def test_an_unset_or_empty_variable_means_no_providers(monkeypatch):
    monkeypatch.delenv("LLM_PROVIDERS", raising=False)
    assert llm_providers("LLM_PROVIDERS") == []
    assert parse(monkeypatch, "") == []


def test_api_key_env_reads_the_key_from_another_variable(monkeypatch):
    monkeypatch.setenv("RUNPOD_API_KEY", SECRET)
    entry = {**VALID[0], "api_key_env": "RUNPOD_API_KEY"}
    del entry["api_key"]

    assert parse(monkeypatch, [entry])[0]["api_key"] == SECRET


def test_json_mode_is_read_for_an_openai_provider_and_left_out_when_not_given(monkeypatch):
    llama_cpp = {"name": "local", "kind": "openai", "base_url": "http://127.0.0.1:8002/v1",
                 "model": "smollm2-135m-instruct", "json_mode": "json_object_schema"}  # fmt: skip

    local, runpod = parse(monkeypatch, [llama_cpp, VALID[0]])

    assert local["json_mode"] == "json_object_schema" and "json_mode" not in runpod


def test_the_validator_knows_the_same_json_modes_as_the_model():
    # config imports no app, so it keeps its own copy of the values, default first.
    assert _LLM_JSON_MODES == tuple(JsonMode.values) and JsonMode.values[0] == JsonMode.JSON_SCHEMA


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ("[{", "LLM_PROVIDERS is not valid JSON"),
        (
            [{**VALID[0], "json_mode": "grammar"}],
            "entry #1 ('runpod'): json_mode must be one of json_schema, json_object_schema, got 'grammar'",
        ),
        (
            [VALID[0], {**VALID[1], "json_mode": "json_object_schema"}],
            "entry #2 ('local'): json_mode 'json_object_schema' is for the openai kind only",
        ),
        ({"name": "x"}, "LLM_PROVIDERS must be a JSON list"),
        ([VALID[0], "local"], "LLM_PROVIDERS entry #2 must be an object."),
        (
            [VALID[0], {**VALID[1], "kind": "claude"}],
            "entry #2 ('local'): kind must be one of openai, ollama, runpod",
        ),
        ([{**VALID[0], "base_url": "ftp://x"}], "entry #1 ('runpod'): base_url must be an http(s) URL"),
        ([{**VALID[0], "model": ""}], "entry #1 ('runpod'): model must be non-empty"),
        ([{**VALID[0], "priority": -1}], "entry #1 ('runpod'): priority must be at least 0"),
        ([{**VALID[0], "read_timeout": "long"}], "entry #1 ('runpod'): read_timeout must be a number"),
        ([{**VALID[0], "max_tokens": 1.5}], "entry #1 ('runpod'): max_tokens must be an integer"),
        (
            '[{"name": "r", "kind": "openai", "base_url": "http://x", "model": "m", "read_timeout": Infinity}]',
            "entry #1 ('r'): read_timeout must be a number",
        ),
        ([{**VALID[0], "enabled": "yes"}], "entry #1 ('runpod'): enabled must be true or false"),
        ([{**VALID[0], "temperature": 0.2}], "entry #1 ('runpod'): unknown key(s) temperature"),
        ([{**VALID[0], "name": "has space"}], "entry #1 ('has space'): name may hold only"),
        ([VALID[0], {**VALID[1], "name": "runpod"}], "entry #2 ('runpod'): name is used by an earlier entry"),
        ([{**VALID[0], "api_key_env": "UNSET_VARIABLE_FOR_TEST"}], "give api_key or api_key_env, not both"),
        (
            [{**VALID[1], "api_key_env": "UNSET_VARIABLE_FOR_TEST"}],
            "'UNSET_VARIABLE_FOR_TEST', which is not set",
        ),
    ],
)
def test_an_invalid_entry_is_refused_with_a_message_naming_it(monkeypatch, entries, message):
    monkeypatch.delenv("UNSET_VARIABLE_FOR_TEST", raising=False)
    with pytest.raises(ImproperlyConfigured) as caught:
        parse(monkeypatch, entries)

    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_bad_api_key_value_is_refused_without_quoting_it(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as caught:
        parse(monkeypatch, [{**VALID[0], "api_key": ["sk-listed-secret"]}])

    assert "api_key must be a string" in str(caught.value) and "sk-listed-secret" not in str(caught.value)


def test_the_process_does_not_start_with_an_invalid_entry():
    bad = json.dumps([VALID[0], {**VALID[1], "kind": "claude"}])
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "LLM_PROVIDERS": bad}

    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode != 0
    assert "LLM_PROVIDERS entry #2 ('local'): kind must be one of" in run.stderr
    assert SECRET not in run.stderr + run.stdout


# --- sync_llm_providers -------------------------------------------------------------------------------
def sync(settings, entries) -> str:
    settings.LLM_PROVIDERS = entries
    out = io.StringIO()
    call_command("sync_llm_providers", stdout=out)
    return out.getvalue()


@pytest.fixture
def parsed(monkeypatch) -> list[dict]:
    return parse(monkeypatch, VALID)


@pytest.mark.django_db
def test_the_command_creates_the_providers_and_running_it_again_changes_nothing(settings, parsed):
    assert sync(settings, parsed) == "runpod: created\nlocal: created\n"
    assert sync(settings, parsed) == "runpod: up to date\nlocal: up to date\n"

    runpod = Provider.objects.get(name="runpod")
    assert (runpod.kind, runpod.priority, runpod.read_timeout, runpod.api_key) == ("openai", 10, 90.0, SECRET)
    assert runpod.from_environment and runpod.connect_timeout == 5.0 and runpod.max_tokens == 1024
    assert Provider.objects.get(name="local").enabled is False


@pytest.mark.django_db
def test_the_command_updates_by_name_and_keeps_a_key_the_entry_does_not_give(settings, parsed):
    sync(settings, parsed)
    changed = [{**parsed[0], "priority": 30, "model": "other"}, parsed[1]]
    del changed[0]["api_key"]

    assert sync(settings, changed) == "runpod: updated\nlocal: up to date\n"

    runpod = Provider.objects.get(name="runpod")
    assert (runpod.priority, runpod.model, runpod.api_key) == (30, "other", SECRET)


@pytest.mark.django_db
def test_the_command_adopts_an_admin_provider_of_the_same_name_and_disables_dropped_ones(settings, parsed):
    ProviderFactory(name="local", model="old")
    admin_only = ProviderFactory(name="admin-only")
    sync(settings, parsed)

    output = sync(settings, [parsed[1]])

    assert "runpod: disabled (no longer in LLM_PROVIDERS; the admin may edit it now)" in output
    runpod = Provider.objects.get(name="runpod")
    assert runpod.enabled is False and runpod.from_environment is False  # the admin's again
    assert Provider.objects.get(name="local").model == "llama3.1:8b"
    assert Provider.objects.get(pk=admin_only.pk).enabled is True  # never from the environment


@pytest.mark.django_db
def test_the_command_passes_json_mode_on_and_an_entry_that_drops_it_goes_back_to_the_default(
    settings, parsed
):
    llama_cpp = {**parsed[0], "json_mode": "json_object_schema"}
    assert sync(settings, [llama_cpp, parsed[1]]) == "runpod: created\nlocal: created\n"
    assert Provider.objects.get(name="runpod").json_mode == JsonMode.JSON_OBJECT_SCHEMA

    assert sync(settings, parsed) == "runpod: updated\nlocal: up to date\n"
    assert Provider.objects.get(name="runpod").json_mode == JsonMode.JSON_SCHEMA


@pytest.mark.django_db
def test_the_command_says_so_when_there_is_nothing_to_write(settings):
    assert sync(settings, []) == "LLM_PROVIDERS is empty: nothing to write.\n"


@pytest.mark.django_db
def test_an_entry_that_moves_a_provider_without_giving_a_key_drops_the_stored_one(settings, parsed):
    sync(settings, parsed)
    moved = [{**parsed[0], "base_url": "https://elsewhere.example/v1"}, parsed[1]]
    del moved[0]["api_key"]

    output = sync(settings, moved)

    assert "runpod: updated" in output
    assert "runpod: API key removed: base_url or kind changed; give api_key or api_key_env" in output
    runpod = Provider.objects.get(name="runpod")
    assert (runpod.base_url, runpod.api_key) == ("https://elsewhere.example/v1", None)


@pytest.mark.django_db
def test_an_entry_that_moves_a_provider_with_its_key_keeps_that_key(settings, parsed):
    sync(settings, parsed)
    moved = [{**parsed[0], "kind": "ollama", "base_url": "https://elsewhere.example"}, parsed[1]]

    output = sync(settings, moved)

    assert "API key removed" not in output
    assert Provider.objects.get(name="runpod").api_key == SECRET
