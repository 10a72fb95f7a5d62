"""What the sandbox models say: deterministic text or JSON derived from a hash of the request.

The same (seed, model, messages, schema) always gives the same answer; a different model gives a
different one, as two real models would. Temperature and sampling options are ignored.

Two requests the product makes are answered from what their prompt says, as a capable model
would: a song analysis (sandbox.llm.song_analysis) and a written listening insight
(sandbox.llm.written_insight), each recognised by its schema's property names. Any other
schema is filled with plausible words (sandbox.llm.schema_fill), and so is a recognised one
whose answer would not validate (a schema changed beyond what the writers know).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
from typing import Any

import jsonschema

from sandbox.llm.schema_fill import WORDS, SchemaError, fill_schema
from sandbox.llm.song_analysis import Knowledge, is_song_analysis, song_analysis
from sandbox.llm.written_insight import is_insight, written_insight

# How a "malformed" fault breaks an answer.
MALFORMED_VARIANTS = ("content", "schema", "body")
OPENERS = ("Sure.", "Here is my take.", "In short:", "Listening closely,", "Overall,")


@dataclasses.dataclass(frozen=True, slots=True)
class Want:
    """What the caller asked for: plain text, any JSON object, or JSON following a schema."""

    kind: str  # "text" | "json" | "schema"
    schema: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    content: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    digest: str


class BadRequest(ValueError):
    """The request cannot be answered (bad schema, bad messages): a 400 in the dialect's shape."""


def prompt_digest(*, seed: int, model: str, messages: Any, want: Want) -> str:
    payload = json.dumps(
        {"seed": seed, "model": model, "messages": messages, "kind": want.kind, "schema": want.schema},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def count_tokens(text: str) -> int:
    """About four characters a token, as tokenizers average on English text."""
    return max(1, math.ceil(len(text) / 4))


def prompt_text(messages: Any) -> str:
    if not isinstance(messages, list) or not messages:
        raise BadRequest("messages must be a non-empty list.")
    parts = []
    for message in messages:
        if not isinstance(message, dict) or "role" not in message:
            raise BadRequest("Each message needs a role and content.")
        content = message.get("content")
        if isinstance(content, list):  # OpenAI content parts
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        parts.append(f"{message['role']}: {content or ''}")
    return "\n".join(parts)


def answer(
    *,
    seed: int,
    model: str,
    messages: Any,
    want: Want,
    max_tokens: int | None = None,
    malformed: str | None,
    scripted: str | None = None,
    knowledge: Knowledge | None = None,
) -> Answer:
    """`scripted` (an "answer" fault): the reply, word for word, whatever was asked. `knowledge`:
    what the model knows of the catalog's artists (the lyrics book), for song analyses."""
    prompt = prompt_text(messages)
    digest = prompt_digest(seed=seed, model=model, messages=messages, want=want)
    rng = random.Random(int(digest[:16], 16))
    finish = "stop"
    if scripted is not None:
        content = scripted
    elif want.kind == "text":
        content = _prose(rng, prompt)
        if max_tokens is not None and count_tokens(content) > max_tokens:
            # Only prose is cut at max_tokens; JSON answers stay whole so schemas keep validating.
            content, finish = content[: max(1, max_tokens) * 4], "length"
    else:
        document = _document(rng, want, messages=messages, knowledge=knowledge)
        if malformed == "schema":
            document = break_schema(document, want)
        content = json.dumps(document, ensure_ascii=False)
    if malformed == "content":
        content = truncate_json(content)
    return Answer(
        content=content,
        prompt_tokens=count_tokens(prompt),
        completion_tokens=count_tokens(content),
        finish_reason=finish,
        digest=digest,
    )


def _document(rng: random.Random, want: Want, *, messages: Any, knowledge: Knowledge | None) -> Any:
    if want.kind == "json":
        return {"answer": f"{rng.choice(OPENERS)} {_sentence(rng)}", "confidence": round(rng.random(), 2)}
    read = _read_from_prompt(rng, want, messages=messages, knowledge=knowledge)
    if read is not None and _valid(read, want.schema):
        return read
    return _filled(want.schema, rng)


def _filled(schema: Any, rng: random.Random) -> Any:
    try:
        return fill_schema(schema, rng)
    except SchemaError as error:
        raise BadRequest(f"Invalid JSON schema: {error}") from None
    except (RecursionError, TypeError, AttributeError, KeyError) as error:
        raise BadRequest(f"Invalid JSON schema: {error!r}") from None


def _read_from_prompt(
    rng: random.Random, want: Want, *, messages: Any, knowledge: Knowledge | None
) -> Any:
    """The answer a recognised request's prompt supports, or None (not recognised, or its
    prompt lacks the data). Its own generator: what it draws must not shift the fallback's."""
    schema = want.schema
    analysis, insight = is_song_analysis(schema), is_insight(schema)
    if not (analysis or insight):
        return None
    reader = random.Random(rng.random())

    def fill(part: Any) -> Any:  # a property the writers do not know
        return _filled(part, reader)

    if analysis:
        return song_analysis(schema=schema, messages=messages, rng=reader, knowledge=knowledge, fill=fill)
    return written_insight(schema=schema, messages=messages, rng=reader, fill=fill)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 12))]
    return " ".join(words).capitalize() + "."


def _prose(rng: random.Random, prompt: str) -> str:
    # Echo the start of the last message, so a reader can tell answers apart.
    topic = prompt.rsplit("\n", 1)[-1].split(": ", 1)[-1].strip()[:60]
    sentences = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
    return (
        f"{rng.choice(OPENERS)} (re: {topic}) {sentences}" if topic else f"{rng.choice(OPENERS)} {sentences}"
    )


def truncate_json(content: str) -> str:
    """Content that stops mid-way, as a model cut off by a token limit or a proxy does: never valid JSON."""
    cut = content[: max(1, len(content) // 2)]
    cut = cut.rstrip("}]") or "{"
    try:
        json.loads(cut)
    except ValueError:
        return cut
    return cut + ',"trunc'


def break_schema(document: Any, want: Want) -> Any:
    """Valid JSON that the schema rejects: a required field of the wrong type, else the wrong top-level type."""
    if want.kind == "schema" and isinstance(document, dict):
        required = [k for k in want.schema.get("required", ()) if k in document]
        if required:
            broken = dict(document)
            broken[required[0]] = 42 if isinstance(document[required[0]], str) else "not-a-valid-value"
            if not _valid(broken, want.schema):
                return broken
    for candidate in (["not", "an", "object"], {"unexpected": "shape"}, "not the requested shape", 42):
        if want.kind != "schema" or not _valid(candidate, want.schema):
            return candidate
    return None


def _valid(document: Any, schema: Any) -> bool:
    try:
        jsonschema.validate(document, schema)
    except jsonschema.ValidationError:
        return False
    except jsonschema.SchemaError:
        return False
    return True
