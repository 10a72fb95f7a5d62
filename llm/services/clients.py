"""One HTTP call to one provider, by kind: a completion, or a cheap health probe.

No retries here (the OpenAI SDK gets max_retries=0): the router is the one retry loop, and
it decides between repairing, failing over and giving up. Errors come back as
ProviderFailure (the provider is unwell: open its circuit) or ProviderRejected (it refused
this request: try another, leave the circuit alone).

Every request goes through core.outbound: public addresses only unless LLM_ALLOW_PRIVATE_HOSTS,
no redirects followed, answers read up to OUTBOUND_MAX_ANSWER_BYTES and parsed within
JSON_MAX_DEPTH. An error says what happened in our words (the HTTP status and its standard
phrase, a timeout, a limit...), never what the server answered: whoever may edit a provider
points it where they like, and its answer would otherwise reach them through the admin.

An answer is read as data of unknown shape (a list where an object belongs, a number where a
string does): what does not fit is a ProviderFailure with a fixed reason, not a TypeError.
"""

from __future__ import annotations

import http
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai
from django.conf import settings

from core import outbound
from llm.models import JsonMode, Provider, ProviderKind
from llm.services.errors import ProviderFailure, ProviderRejected

# The request itself was refused; any other 4xx (auth, unknown model, 429) means the provider
# cannot serve us at all right now.
REJECTED_STATUSES = frozenset({400, 413, 422})
RUNPOD_POLL_SECONDS = 1.0
# RunPod's job states that end a job without output (anything else is reported as unknown).
RUNPOD_END_STATES = frozenset({"FAILED", "CANCELLED", "TIMED_OUT"})
MODEL_NAME = re.compile(r"[\w.:/@+-]{1,100}")
REFUSED = "Refused: the host is not at a public address, and LLM_ALLOW_PRIVATE_HOSTS does not let it through."
TOO_DEEP = "The answer was nested too deep to read."
NOT_OPENAI = "The answer was not shaped like an OpenAI-compatible answer."


@dataclass(frozen=True)
class ProviderConfig:
    """What a call needs from a Provider row, read once so no call touches the database."""

    id: int
    name: str
    kind: str
    base_url: str
    model: str
    connect_timeout: float
    read_timeout: float
    max_tokens: int
    json_mode: str = JsonMode.JSON_SCHEMA
    api_key: str = field(repr=False, default="")

    @classmethod
    def from_provider(cls, provider: Provider) -> ProviderConfig:
        return cls(
            id=provider.pk,
            name=provider.name,
            kind=provider.kind,
            base_url=provider.base_url.rstrip("/"),
            model=provider.model,
            connect_timeout=provider.connect_timeout,
            read_timeout=provider.read_timeout,
            max_tokens=provider.max_tokens,
            json_mode=provider.json_mode,
            api_key=provider.api_key or "",
        )


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None


def complete(
    *, config: ProviderConfig, messages: list[dict[str, str]], schema: dict | None, schema_name: str | None
) -> Completion:
    """Ask `config`'s provider once; with a schema, in its JSON-constrained mode."""
    if config.kind == ProviderKind.OPENAI:
        return _openai_complete(config=config, messages=messages, schema=schema, schema_name=schema_name)
    if config.kind == ProviderKind.OLLAMA:
        return _ollama_complete(config=config, messages=messages, schema=schema)
    if config.kind == ProviderKind.RUNPOD:
        return _runpod_complete(config=config, messages=messages, schema=schema)
    raise ProviderFailure(f"Unknown provider kind {config.kind!r}.")


def probe(*, config: ProviderConfig, timeout: float) -> None:
    """A free health check: list models (openai, ollama) or read /health (runpod). Raises
    ProviderFailure when the server is unreachable, refuses us, or does not serve the model."""
    if config.kind == ProviderKind.OPENAI:
        with _openai_client(config=config, read_timeout=timeout) as client:
            try:
                served = [getattr(model, "id", None) for model in client.models.list()]
            except openai.OpenAIError as exc:
                raise _openai_failure(exc, config=config) from None
            except (ValueError, RecursionError, AttributeError, TypeError) as exc:
                # The SDK builds its page from whatever JSON came (a list raises AttributeError).
                raise _sdk_read_failure(exc) from None
        _require_model(config=config, served=served)
    elif config.kind == ProviderKind.OLLAMA:
        body = _get_json(config=config, url=f"{config.base_url}/api/tags", timeout=timeout)
        models = body.get("models")
        listed = models if isinstance(models, list) else []
        served = [m.get("name") or m.get("model") for m in listed if isinstance(m, dict)]
        _require_model(config=config, served=served)
    elif config.kind == ProviderKind.RUNPOD:
        # RunPod's /health answers for an endpoint that has scaled to zero too: it says the
        # endpoint exists and our key is accepted, which is what a cheap check can know.
        _get_json(config=config, url=f"{config.base_url}/health", timeout=timeout)
    else:
        raise ProviderFailure(f"Unknown provider kind {config.kind!r}.")


def _require_model(*, config: ProviderConfig, served: list[Any]) -> None:
    # Ollama lists "llama3.1:8b" or "name:latest"; an empty list (llama.cpp and some proxies
    # list nothing useful) proves nothing either way, so it passes.
    names = {name for name in served if isinstance(name, str) and name}
    if names and config.model not in names and f"{config.model}:latest" not in names:
        raise ProviderFailure(f"The server does not serve model {config.model!r}.", status=404)


# --- OpenAI-compatible ---------------------------------------------------------------------------


def _openai_client(*, config: ProviderConfig, read_timeout: float | None = None) -> openai.OpenAI:
    timeout = httpx2.Timeout(read_timeout or config.read_timeout, connect=config.connect_timeout)
    return openai.OpenAI(
        # The SDK insists on a key; local servers ignore whatever is sent.
        api_key=config.api_key or "not-needed",
        base_url=config.base_url,
        max_retries=0,
        timeout=timeout,
        http_client=_http(timeout=timeout),
    )


def _http(*, timeout: httpx2.Timeout) -> httpx2.Client:
    return outbound.client(allow_private=settings.LLM_ALLOW_PRIVATE_HOSTS, timeout=timeout)


def _openai_complete(
    *, config: ProviderConfig, messages: list[dict[str, str]], schema: dict | None, schema_name: str | None
) -> Completion:
    options: dict[str, Any] = {}
    if schema is not None:
        options["response_format"] = openai_response_format(
            json_mode=config.json_mode, schema=schema, schema_name=schema_name
        )
    with _openai_client(config=config) as client:
        try:
            response = client.chat.completions.create(
                model=config.model, messages=messages, max_tokens=config.max_tokens, **options
            )
        except openai.OpenAIError as exc:
            raise _openai_failure(exc, config=config) from None
        except (ValueError, RecursionError) as exc:  # the SDK parses the body itself, with json
            raise _sdk_read_failure(exc) from None
    return _openai_completion(response, config=config)


def _openai_completion(response: Any, *, config: ProviderConfig) -> Completion:
    # The SDK builds its objects without checking them: a list answer comes back as a list, a
    # number where an object belongs as that number. So each part is looked up, and its type checked.
    choices = getattr(response, "choices", None)
    if not isinstance(choices, list) or not choices:
        raise ProviderFailure("The answer had no choices.")
    content = getattr(getattr(choices[0], "message", None), "content", None)
    if content is not None and not isinstance(content, str):
        raise ProviderFailure("The answer had no message content.")
    usage = getattr(response, "usage", None)
    return Completion(
        text=content or "",
        model=_answered_model(getattr(response, "model", None), config=config),
        prompt_tokens=_int_or_none(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_int_or_none(getattr(usage, "completion_tokens", None)),
    )


def openai_response_format(*, json_mode: str, schema: dict, schema_name: str | None) -> dict:
    """The response_format that makes this kind of OpenAI-compatible server keep to `schema`."""
    if json_mode == JsonMode.JSON_OBJECT_SCHEMA:
        # llama.cpp's server compiles the schema into a grammar: keys, types, enums and lengths
        # hold, numeric minimum/maximum do not (the router validates the answer either way).
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": schema_name or "answer", "schema": schema}}


def _openai_failure(exc: openai.OpenAIError, *, config: ProviderConfig) -> Exception:
    if outbound.was_refused(exc):
        return ProviderFailure(REFUSED)
    refused_answer = outbound.refusal(exc)  # too large or compressed, wrapped as a connection error
    if refused_answer is not None:
        return ProviderFailure(str(refused_answer))
    if isinstance(exc, openai.APITimeoutError):
        return ProviderFailure(
            f"Timed out (connect {config.connect_timeout} s, read {config.read_timeout} s)."
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderFailure("Could not connect.")
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc.status_code)
    return ProviderFailure(f"Unreadable answer ({type(exc).__name__}).")


def _sdk_read_failure(exc: Exception) -> ProviderFailure:
    """What the SDK raised reading an answer, in our words: json's message would quote a position
    in the answer, and RecursionError is what 10,000 "[" end in."""
    if isinstance(exc, json.JSONDecodeError):
        return ProviderFailure(outbound.NOT_JSON)
    if isinstance(exc, RecursionError):
        return ProviderFailure(TOO_DEEP)
    return ProviderFailure(NOT_OPENAI)


# --- Ollama native and RunPod, over httpx (core.outbound) -----------------------------------------


def _ollama_complete(
    *, config: ProviderConfig, messages: list[dict[str, str]], schema: dict | None
) -> Completion:
    payload: dict[str, Any] = {
        "model": config.model,
        "messages": messages,
        "stream": False,
        "options": {"num_predict": config.max_tokens},
    }
    if schema is not None:
        payload["format"] = schema  # Ollama constrains its output to a JSON schema given here
    body = _post_json(config=config, url=f"{config.base_url}/api/chat", payload=payload)
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("content"), str):
        raise ProviderFailure("The answer had no message content.")
    return Completion(
        text=message["content"],
        model=_answered_model(body.get("model"), config=config),
        prompt_tokens=_int_or_none(body.get("prompt_eval_count")),
        completion_tokens=_int_or_none(body.get("eval_count")),
    )


def _runpod_complete(
    *, config: ProviderConfig, messages: list[dict[str, str]], schema: dict | None
) -> Completion:
    sampling: dict[str, Any] = {"max_tokens": config.max_tokens}
    if schema is not None:
        sampling["guided_json"] = schema  # vLLM's guided decoding, passed through by the worker
    payload = {"input": {"messages": messages, "sampling_params": sampling}}
    deadline = time.monotonic() + config.read_timeout
    body = _post_json(config=config, url=f"{config.base_url}/runsync", payload=payload)
    # /runsync hands back a job still queued or running when it outlasts RunPod's own wait:
    # follow it on /status until our read timeout is spent.
    while body.get("status") in ("IN_QUEUE", "IN_PROGRESS") and isinstance(body.get("id"), str | int):
        if time.monotonic() >= deadline:
            raise ProviderFailure(f"The job did not finish within {config.read_timeout} s.")
        time.sleep(RUNPOD_POLL_SECONDS)
        body = _get_json(
            config=config, url=f"{config.base_url}/status/{body['id']}", timeout=config.read_timeout
        )
    if body.get("status") != "COMPLETED":
        status = body.get("status")
        ended = status if isinstance(status, str) and status in RUNPOD_END_STATES else "in an unknown state"
        raise ProviderFailure(f"The job ended {ended}.")
    return _runpod_output(body.get("output"), config=config)


def _runpod_output(output: Any, *, config: ProviderConfig) -> Completion:
    # The vLLM worker answers a list of {"choices": [{"tokens": [...]}], "usage": {...}}; an
    # OpenAI-style {"choices": [{"message": {...}}]} is read as well.
    first = output[0] if isinstance(output, list) and output else output
    choices = first.get("choices") if isinstance(first, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ProviderFailure("The job's output had no choices.")
    choice = choices[0]
    if isinstance(choice.get("tokens"), list):
        text = "".join(str(token) for token in choice["tokens"])
    elif isinstance(choice.get("message"), dict):
        text = choice["message"].get("content") or ""
    else:
        text = choice.get("text") or ""
    if not isinstance(text, str):
        raise ProviderFailure("The job's output had no text.")
    usage = first.get("usage") if isinstance(first.get("usage"), dict) else {}
    return Completion(
        text=text,
        model=config.model,
        prompt_tokens=_int_or_none(usage.get("input", usage.get("prompt_tokens"))),
        completion_tokens=_int_or_none(usage.get("output", usage.get("completion_tokens"))),
    )


def _headers(config: ProviderConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}


def _post_json(*, config: ProviderConfig, url: str, payload: dict) -> dict:
    return _request(
        config=config,
        method="POST",
        url=url,
        json=payload,
        timeout=(config.connect_timeout, config.read_timeout),
    )


def _get_json(*, config: ProviderConfig, url: str, timeout: float) -> dict:
    return _request(config=config, method="GET", url=url, timeout=(config.connect_timeout, timeout))


def _request(
    *, config: ProviderConfig, method: str, url: str, timeout: tuple[float, float], **kwargs
) -> dict:
    try:
        with (
            _http(timeout=httpx2.Timeout(timeout[1], connect=timeout[0])) as client,
            client.stream(method, url, headers=_headers(config), **kwargs) as response,
        ):
            if response.status_code >= 300:  # redirects are not followed: one would be a failure too
                raise _status_error(response.status_code)  # its body stays unread
            body = outbound.read_json(response)
    except outbound.HostRefused:
        raise ProviderFailure(REFUSED) from None
    except outbound.AnswerRefused as exc:  # too large, compressed, not JSON, too deep: our words
        raise ProviderFailure(str(exc)) from None
    except httpx2.TimeoutException:
        raise ProviderFailure(f"Timed out (connect {timeout[0]} s, read {timeout[1]} s).") from None
    except httpx2.ConnectError:
        raise ProviderFailure("Could not connect.") from None
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise ProviderFailure(f"Request failed: {type(exc).__name__}.") from None
    if not isinstance(body, dict):
        raise ProviderFailure("The answer was not a JSON object.")
    return body


def _status_error(status: int) -> Exception:
    """The status and its standard phrase: the body stays unread (see the module's docstring)."""
    try:
        message = f"HTTP {status} ({http.HTTPStatus(status).phrase})."
    except ValueError:
        message = f"HTTP {status}."
    if status in REJECTED_STATUSES:
        return ProviderRejected(message, status=status)
    return ProviderFailure(message, status=status)


def _answered_model(value: Any, *, config: ProviderConfig) -> str:
    """The model the server says answered (a dated version of the one asked for, often): kept
    with the analyses and shown to staff, so only when it looks like a model name."""
    if isinstance(value, str) and MODEL_NAME.fullmatch(value):
        return value
    return config.model


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
