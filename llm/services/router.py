"""The one call the rest of the project makes: messages in, one validated answer out.

Each request tries the providers in order (a forced one first, then by priority), skipping
those whose circuit is open. A provider that fails (connection, timeout, 5xx, 429, auth, or an
answer still invalid after one repair) has its circuit opened and the same request moves on at
once, so the caller gets one answer or one exception. This loop is the only retry there is:
the SDK and httpx never retry on their own. Anything else a provider's turn raises counts as
that provider failing too: one odd answer never ends the caller's task while others could answer.
An answer the caller's `check` refuses (complete_json) is repaired and failed over the same way,
but its provider's circuit stays closed: it is up, only that answer was not usable.

Make these calls outside a transaction: they wait on HTTP for up to the read timeout.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from jsonschema import exceptions as schema_errors
from jsonschema import validators

from core.json_input import deeper_than
from llm.models import CallOutcome, CircuitState, LLMCall, Provider, ProviderHealth, RouterState
from llm.services import circuit
from llm.services.clients import Completion, ProviderConfig, complete
from llm.services.errors import (
    AllProvidersDown,
    AnswersRefused,
    ProviderFailure,
    ProviderRejected,
    RequestRejected,
    unexpected_failure,
)

logger = logging.getLogger(__name__)
# The bad answer is quoted back to the model in the repair request, up to this many characters.
MAX_QUOTED_ANSWER = 4000
EMPTY = "the answer was empty"


@dataclass(frozen=True)
class LLMResult:
    """One answer. `data` is the parsed, schema-valid JSON (complete_json) or the text.

    latency_ms is what the caller waited, fail-overs and repairs included; the token counts
    add up every attempt that reported them (None when none did); attempts counts provider
    calls, so 1 is a clean first answer.
    """

    data: Any
    provider: str
    model: str
    latency_ms: int
    prompt_tokens: int | None
    completion_tokens: int | None
    attempts: int
    # The providers asked before the one that answered, each with why it was passed over.
    passed_over: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CheckFailed:
    """What a caller's `check` found wrong with a schema-valid answer: `detail` goes back to the
    model in the repair request, `summary` to staff's call records (never quoting the answer)."""

    detail: str
    summary: str


Check = Callable[[Any], CheckFailed | None]


def complete_json(
    *, messages: list[dict[str, str]], schema: dict, schema_name: str, purpose: str, check: Check | None = None
) -> LLMResult:
    """An answer that is valid JSON for `schema`. Raises AllProvidersDown (retry later) or
    RequestRejected (every provider refused this request; do not retry it as is).

    `check`: the caller's rules beyond the schema (an insight keeps to its facts). An answer it
    refuses is repaired once like a schema error; still refused, the next provider is asked,
    and that provider's circuit stays closed (it answered; the answer was the trouble). When
    no provider gave a usable answer and any answer was refused, AnswersRefused, even if
    another provider was down: the caller fails with its reason instead of retrying."""
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # a bad schema is our bug: fail loudly, open no circuit
    request = _Request(
        messages=messages, schema=schema, schema_name=schema_name, purpose=purpose,
        validator=validator_class(schema), check=check,
    )  # fmt: skip
    return _route(request)


def complete_text(*, messages: list[dict[str, str]], purpose: str) -> LLMResult:
    """A non-empty free-text answer; the same fail-over and errors as complete_json."""
    return _route(_Request(messages=messages, schema=None, schema_name=None, purpose=purpose, validator=None))


@dataclass
class _Request:
    messages: list[dict[str, str]]
    schema: dict | None
    schema_name: str | None
    purpose: str
    validator: Any
    check: Check | None = None
    attempts: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def count(self, completion: Completion | None) -> None:
        self.attempts += 1
        if completion is None:
            return
        if completion.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + completion.prompt_tokens
        if completion.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + completion.completion_tokens


def candidates() -> list[Provider]:
    """Enabled providers in the order a request tries them: the forced one, then by priority."""
    state = circuit.router_state()
    providers = list(
        Provider.objects.filter(enabled=True).select_related("health").order_by("priority", "name")
    )
    circuit.ensure_health(providers=providers)
    forced = [p for p in providers if p.pk == state.forced_provider_id]
    return forced + [p for p in providers if p.pk != state.forced_provider_id]


def _route(request: _Request) -> LLMResult:
    started = time.monotonic()
    rejections: list[str] = []
    refused: list[str] = []
    passed_over: list[tuple[str, str]] = []
    failed = False
    for provider in candidates():
        if not circuit.admit(provider=provider):
            continue
        config = ProviderConfig.from_provider(provider)
        provider_started = time.monotonic()
        try:
            data, model = _ask(config=config, request=request)
        except ProviderFailure as exc:
            failed = True
            passed_over.append((config.name, "failed"))
            circuit.record_failure(provider_id=config.id, error=str(exc))
            logger.warning("LLM provider %s failed (%s); failing over.", config.name, exc)
            continue
        except ProviderRejected as exc:
            # It answered, so it is up (a half-open trial closes); the request is what it refused.
            circuit.record_success(provider_id=config.id, latency_ms=_ms_since(provider_started))
            rejections.append(f"{config.name}: {exc}")
            passed_over.append((config.name, "refused the request"))
            logger.warning("LLM provider %s refused the request (%s).", config.name, exc)
            continue
        except _AnswerRefused as exc:
            # Up and answering, so its circuit closes; only this answer was not good enough.
            circuit.record_success(provider_id=config.id, latency_ms=_ms_since(provider_started))
            refused.append(f"{config.name}: {exc}")
            passed_over.append((config.name, str(exc)))
            logger.warning("LLM provider %s: %s; asking the next one.", config.name, exc)
            continue
        except Exception as exc:  # the last resort: see the module's docstring
            failed = True
            passed_over.append((config.name, "failed"))
            failure = unexpected_failure(exc)
            circuit.record_failure(provider_id=config.id, error=str(failure))
            name = type(exc).__name__
            logger.warning("LLM provider %s failed with %s; failing over.", config.name, name, exc_info=True)
            continue
        circuit.record_success(provider_id=config.id, latency_ms=_ms_since(provider_started))
        circuit.note_choice(provider_id=config.id)
        result = LLMResult(
            data=data,
            provider=config.name,
            model=model,
            latency_ms=_ms_since(started),
            prompt_tokens=request.prompt_tokens,
            completion_tokens=request.completion_tokens,
            attempts=request.attempts,
            passed_over=tuple(passed_over),
        )
        logger.info(
            "LLM %s answered by %s (%s) in %d ms, %d attempt(s), tokens %s+%s.",
            request.purpose, result.provider, result.model, result.latency_ms, result.attempts,
            result.prompt_tokens, result.completion_tokens,
        )  # fmt: skip
        return result
    if refused:  # even with another provider down: a postponed run would be refused again, forever
        raise AnswersRefused("; ".join(refused + rejections), passed_over=tuple(passed_over))
    if rejections and not failed:
        raise RequestRejected("Every provider refused the request: " + "; ".join(rejections))
    raise AllProvidersDown(retry_after=retry_after_seconds(), detail=_down_detail(rejections))


def _ask(*, config: ProviderConfig, request: _Request) -> tuple[Any, str]:
    """One provider's answer, with one repair: the bad answer and what was wrong with it go
    back to the same provider once. Still invalid → ProviderFailure (its circuit opens)."""
    messages = request.messages
    for is_repair in (False, True):
        completion, latency_ms = _attempt(config=config, request=request, messages=messages)
        data, problem = _parse(completion.text, request=request)
        if problem is None and request.check is not None:
            verdict = request.check(data)
            if verdict is not None:
                problem = Problem(detail=verdict.detail, summary=verdict.summary, schema=False)
        _record(
            config=config,
            request=request,
            outcome=CallOutcome.OK if problem is None else CallOutcome.INVALID,
            latency_ms=latency_ms,
            completion=completion,
            error=problem.summary if problem else "",
        )
        if problem is None:
            return data, completion.model
        if is_repair and not problem.schema:
            raise _AnswerRefused(f"answer refused after one repair ({problem.summary})")
        if is_repair:
            raise ProviderFailure(f"Answer still invalid after one repair: {problem.summary}")
        messages = [
            *request.messages,
            {"role": "assistant", "content": completion.text[:MAX_QUOTED_ANSWER]},
            {"role": "user", "content": _repair_prompt(request=request, problem=problem)},
        ]
    raise AssertionError("unreachable")


def _attempt(
    *, config: ProviderConfig, request: _Request, messages: list[dict[str, str]]
) -> tuple[Completion, int]:
    """One HTTP call, counted; a failed one is recorded here, an answer by the caller once parsed."""
    started = time.monotonic()
    try:
        completion = complete(
            config=config, messages=messages, schema=request.schema, schema_name=request.schema_name
        )
    except Exception as exc:
        failure = exc if isinstance(exc, ProviderFailure | ProviderRejected) else unexpected_failure(exc)
        if failure is not exc:
            logger.warning("LLM provider %s raised %s.", config.name, type(exc).__name__, exc_info=True)
        request.count(None)
        outcome = CallOutcome.REJECTED if isinstance(failure, ProviderRejected) else CallOutcome.UNAVAILABLE
        _record(
            config=config, request=request, outcome=outcome, latency_ms=_ms_since(started), error=str(failure)
        )
        if failure is exc:
            raise
        raise failure from exc  # recorded like any failed call; _route fails over
    request.count(completion)
    return completion, _ms_since(started)


def _record(
    *,
    config: ProviderConfig,
    request: _Request,
    outcome: str,
    latency_ms: int,
    completion: Completion | None = None,
    error: str = "",
) -> None:
    LLMCall.objects.create(
        provider_id=config.id,
        provider_name=config.name,
        model=completion.model if completion else config.model,
        purpose=request.purpose[:100],
        outcome=outcome,
        latency_ms=latency_ms,
        prompt_tokens=completion.prompt_tokens if completion else None,
        completion_tokens=completion.completion_tokens if completion else None,
        error=error[:500],
    )


@dataclass(frozen=True)
class Problem:
    """What is wrong with an answer: `detail` for the model's repair request (it may quote the
    answer), `summary` for the call records and the circuit's last error that staff read, which
    never quote it (the answer is the provider's to write, see llm.services.clients)."""

    detail: str
    summary: str
    schema: bool = True  # False: the caller's check refused a schema-valid answer


class _AnswerRefused(Exception):
    """A provider's answer, repaired once, still failed the caller's check."""


def _parse(text: str, *, request: _Request) -> tuple[Any, Problem | None]:
    """(value, None) when the answer is usable, else (None, what is wrong with it)."""
    if request.schema is None:
        return (text, None) if text.strip() else (None, Problem(EMPTY, EMPTY))
    body = _without_fences(text)
    if deeper_than(body, settings.JSON_MAX_DEPTH):
        # json recurses once per level: an answer steered (by lyrics, say) into deep nesting would
        # end in a RecursionError, not a repair. No schema of ours goes that deep.
        message = f"nested more than {settings.JSON_MAX_DEPTH} levels deep"
        return None, Problem(message, message)
    try:
        # strict=False: a raw control character (a newline) inside a string is read as itself.
        # llama.cpp's schema grammar lets the model write one, and the value is unambiguous:
        # sending it back for repair would only cost a call, and a small model repeats itself.
        data = json.loads(body, strict=False)
    except json.JSONDecodeError as exc:
        # json's own words and a position: nothing of the answer itself.
        message = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        return None, Problem(message, message)
    error = schema_errors.best_match(request.validator.iter_errors(data))
    if error is not None:
        where = error.json_path if error.absolute_path else "the document"
        # jsonschema's message quotes the offending value ("'x' is not one of [...]"): the model
        # gets it, staff get the schema rule it broke.
        return None, Problem(
            detail=f"{where}: {error.message}"[:500],
            summary=f"{where[:100]}: breaks the schema's {error.validator!r} rule",
        )
    return data, None


def _without_fences(text: str) -> str:
    # Some models wrap JSON in a Markdown code block even in JSON mode.
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and "\n" in stripped:
        return stripped[stripped.index("\n") + 1 : -3]
    return stripped


def _repair_prompt(*, request: _Request, problem: Problem) -> str:
    if request.schema is None:
        return "Your answer was empty. Please answer again."
    if not problem.schema:
        return (
            f"Your answer cannot be used: {problem.detail}. Correct it using only what the request "
            "gives, and reply with only the corrected JSON document, nothing else."
        )
    return (
        f"Your answer is not valid for the JSON schema {request.schema_name!r}: {problem.detail}. "
        "Reply again with only the corrected JSON document, nothing else."
    )


def retry_after_seconds() -> int:
    """When a provider may be worth asking again: the earliest end of a cooldown, else the base
    cooldown (a trial running elsewhere, or only refusals), else the cap (nothing enabled)."""
    now = timezone.now()
    rows = list(ProviderHealth.objects.filter(provider__enabled=True).values_list("state", "opened_until"))
    if not rows:
        return settings.LLM_CIRCUIT_MAX_COOLDOWN
    waits = [
        max(1, math.ceil((until - now).total_seconds())) if state == CircuitState.OPEN and until else 0
        for state, until in rows
    ]
    pending = [wait for wait in waits if wait > 0]
    return min(pending) if pending else settings.LLM_CIRCUIT_BASE_COOLDOWN


def _down_detail(rejections: list[str]) -> str:
    if not Provider.objects.filter(enabled=True).exists():
        return "No provider is enabled."
    forced = RouterState.objects.filter(~Q(forced_provider=None), id=RouterState.SINGLETON_ID).exists()
    notes = ["The forced provider is down too." if forced else ""] + [f"Refused by {r}" for r in rejections]
    return " ".join(note for note in notes if note)


def _ms_since(started: float) -> int:
    return max(0, round((time.monotonic() - started) * 1000))
