"""A deterministic JSON document that validates against a JSON schema, as a model in JSON mode would write.

Covers what LLM structured-output schemas use (OpenAI strict mode, Ollama `format`, pydantic's
`model_json_schema()`): `type` (or a list of types), `properties`/`required`, `items`/`prefixItems`,
`enum`/`const`, `anyOf`/`oneOf`/`allOf`, local `$ref` into `$defs`/`definitions`, string
`minLength`/`maxLength`/`format`, number bounds and `multipleOf`, `minItems`/`maxItems`/`uniqueItems`.
`pattern` is honoured for plain regexes (classes, repeats, groups, alternation), not look-arounds.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from sandbox.llm.regex_sample import sample

WORDS = (
    "warm", "bright", "hazy", "restless", "tender", "brooding", "sunlit", "nocturnal", "driving",
    "wistful", "playful", "lush", "sparse", "defiant", "dreamy", "gritty", "hopeful", "late-night",
    "guitar", "synth", "chorus", "groove", "ballad", "anthem", "echo", "rhythm", "melody", "bassline",
    "heartbreak", "summer", "city", "ocean", "road", "memory", "rain", "dance", "longing", "escape",
)  # fmt: skip
# "date" and "date-time" are not here: a model writes today's date, so they follow the clock.
FORMATS = {
    "time": "12:00:00Z",
    "email": "listener@example.com",
    "uri": "https://example.com/sandbox",
    "url": "https://example.com/sandbox",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
}
# Recursive schemas stop growing here: optional keys and array items are left out below this depth.
MAX_DEPTH = 6


class SchemaError(ValueError):
    """The schema cannot be satisfied (or uses a `$ref` we cannot resolve)."""


class SchemaFiller:
    def __init__(self, root: Any, rng: random.Random, now: dt.datetime) -> None:
        self.root = root
        self.rng = rng
        self.formats = {
            **FORMATS,
            "date-time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date": now.date().isoformat(),
        }

    def fill(self, schema: Any, depth: int = 0) -> Any:
        if schema is True or schema == {}:
            return self.words(1, 3)
        if schema is False:
            raise SchemaError("The schema `false` accepts nothing.")
        if not isinstance(schema, dict):
            raise SchemaError(f"A schema must be an object or a boolean, not {type(schema).__name__}.")
        if "$ref" in schema:
            return self.fill(self._merge(self.resolve(schema["$ref"]), _without(schema, "$ref")), depth)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if not schema["enum"]:
                raise SchemaError("An empty enum accepts nothing.")
            return self.rng.choice(schema["enum"])
        if "allOf" in schema:
            merged = _without(schema, "allOf")
            for part in schema["allOf"]:
                merged = self._merge(merged, part)
            return self.fill(merged, depth)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.fill(self._merge(_without(schema, key), self._pick(schema[key], depth)), depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self._pick_type(kind, depth)
        kind = kind or _infer_type(schema)
        filler = getattr(self, f"_{kind}", None)
        if filler is None:
            raise SchemaError(f"Unknown type {kind!r}.")
        return filler(schema, depth)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"Only local $ref are supported, not {ref!r}.")
        node = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise SchemaError(f"Cannot resolve $ref {ref!r}.") from None
        return node

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def _pick(self, options: list, depth: int) -> Any:
        if not options:
            raise SchemaError("anyOf/oneOf needs at least one schema.")
        concrete = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        # A nullable field is mostly filled in, as a model would; deep down null ends recursion.
        if len(concrete) < len(options) and (depth >= MAX_DEPTH or not concrete or self.rng.random() < 0.15):
            return {"type": "null"}
        return self.rng.choice(concrete)

    def _pick_type(self, kinds: list, depth: int) -> str:
        concrete = [k for k in kinds if k != "null"]
        if len(concrete) < len(kinds) and (depth >= MAX_DEPTH or not concrete or self.rng.random() < 0.15):
            return "null"
        return self.rng.choice(concrete)

    def _merge(self, base: dict, extra: Any) -> dict:
        if extra is True or extra is None:
            return dict(base)
        if not isinstance(extra, dict):
            raise SchemaError("allOf/anyOf/oneOf entries must be schemas.")
        if "$ref" in extra:
            extra = self._merge(self.resolve(extra["$ref"]), _without(extra, "$ref"))
        merged = {**base, **extra}
        if "properties" in base and "properties" in extra:
            merged["properties"] = {**base["properties"], **extra["properties"]}
        if "required" in base and "required" in extra:
            merged["required"] = list(dict.fromkeys([*base["required"], *extra["required"]]))
        return merged

    def _object(self, schema: dict, depth: int) -> dict:
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        result = {}
        for name, sub in properties.items():
            # Optional keys: mostly present near the top, never deep down (keeps recursion finite).
            if name in required or (depth < MAX_DEPTH and self.rng.random() < 0.75):
                result[name] = self.fill(sub, depth + 1)
        extra = schema.get("additionalProperties")
        minimum = schema.get("minProperties", 0)
        if not properties and isinstance(extra, dict) and depth < MAX_DEPTH:
            minimum = max(minimum, 1)
        n = 0
        while len(result) < minimum:
            n += 1
            result[f"{self.rng.choice(WORDS).replace('-', '_')}_{n}"] = self.fill(
                extra if isinstance(extra, dict) else {"type": "string"}, depth + 1
            )
        return result

    def _array(self, schema: dict, depth: int) -> list:
        prefix = schema.get("prefixItems") or (
            schema["items"] if isinstance(schema.get("items"), list) else []
        )
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", max(low, 3))
        if schema.get("items") is False:
            high = min(high, len(prefix))
        if low > high:
            raise SchemaError("minItems is larger than maxItems.")
        if depth >= MAX_DEPTH:
            count = low
        else:
            count = self.rng.randint(max(low, min(1, high)), max(low, min(high, low + 3)))
        count = max(count, min(len(prefix), high))
        result: list = []
        attempts = 0
        while len(result) < count:
            sub = prefix[len(result)] if len(result) < len(prefix) else items
            value = self.fill(sub, depth + 1)
            attempts += 1
            if schema.get("uniqueItems") and value in result:
                if attempts > 50 * (count + 1):
                    if len(result) >= low:
                        break
                    raise SchemaError("Cannot find enough distinct items for uniqueItems.")
                continue
            result.append(value)
        return result

    def _string(self, schema: dict, depth: int) -> str:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if high is not None and high < low:
            raise SchemaError("minLength is larger than maxLength.")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            for _ in range(20):
                text = sample(pattern, self.rng)
                if text is not None and low <= len(text) <= (high if high is not None else len(text)):
                    return text
        fmt = self.formats.get(schema.get("format"))
        if fmt is not None and (high is None or len(fmt) <= high) and len(fmt) >= low:
            return fmt
        limit = high if high is not None else max(low, 80)
        wanted, text = self.rng.randint(2, 6), ""
        # Whole words while they fit; the text stays readable and within the bounds.
        while True:
            word = self.rng.choice(WORDS)
            candidate = f"{text} {word}" if text else word
            if len(candidate) > limit:
                break
            text, wanted = candidate, wanted - 1
            if wanted <= 0 and len(text) >= low:
                break
        if len(text) < low:
            filler = " ".join(self.rng.choice(WORDS) for _ in range(low // 3 + 1))
            text = f"{text} {filler}"[:low] if text else filler[:low]
        return text

    def _integer(self, schema: dict, depth: int) -> int:
        value = self._number_in(schema, integer=True)
        return int(value)

    def _number(self, schema: dict, depth: int) -> float | int:
        return self._number_in(schema, integer=False)

    def _number_in(self, schema: dict, *, integer: bool) -> float:
        nudge = 1 if integer else 1e-6
        low, high = schema.get("minimum"), schema.get("maximum")
        # Draft 6+ exclusive bounds are numbers (draft 4's booleans are ignored).
        if _is_number(schema.get("exclusiveMinimum")):
            low = _tighter(low, schema["exclusiveMinimum"] + nudge, max)
        if _is_number(schema.get("exclusiveMaximum")):
            high = _tighter(high, schema["exclusiveMaximum"] - nudge, min)
        if low is None and high is None:
            low, high = (0, 100) if integer else (0.0, 1.0)
        elif low is None:
            low = high - 100
        elif high is None:
            high = low + 100
        if low > high:
            raise SchemaError("minimum is larger than maximum.")
        step = schema.get("multipleOf")
        if integer:
            step = max(1, int(step)) if step else 1
        if step:
            first, last = math.ceil(low / step), math.floor(high / step)
            if first > last:
                raise SchemaError("No multiple of multipleOf lies between the bounds.")
            value = self.rng.randint(first, last) * step
            return value if integer else round(value, 10)
        value = round(self.rng.uniform(low, high), 2)
        return min(max(value, low), high)

    def _boolean(self, schema: dict, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _null(self, schema: dict, depth: int) -> None:
        return None


def _infer_type(schema: dict) -> str:
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(key in schema for key in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _tighter(current: float | None, bound: float, pick: Any) -> float:
    return bound if current is None else pick(current, bound)


def _without(schema: dict, key: str) -> dict:
    return {k: v for k, v in schema.items() if k != key}


def fill_schema(schema: Any, rng: random.Random, *, now: dt.datetime | None = None) -> Any:
    """A document that validates against `schema`, chosen by `rng` (so the same seed gives the same one);
    "date" and "date-time" strings are `now` (default: the current second, in UTC)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) if now is None else now.astimezone(dt.UTC)
    return SchemaFiller(schema, rng, now).fill(schema)
