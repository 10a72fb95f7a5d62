"""Checks Web API responses against the bundled OpenAPI spec (--validate-responses).

The spec is OpenAPI 3.0; it is converted once into plain JSON Schema (draft 7):
`nullable` becomes `anyOf [null, ...]`, documentation-only keywords go. One
validator is compiled per (mode, operation, status) and cached. fastjsonschema
compiles schemas to Python code (~30x faster than jsonschema, which matters for
pages of 50-100 full track objects); without it, jsonschema does the same job slowly.

Where Spotify's real behaviour and the spec disagree, the difference is listed
below as an explicit exception, so a violation always means a sandbox bug.
"""

from __future__ import annotations

import copy
import itertools
import pathlib
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import yaml

try:
    import fastjsonschema
except ImportError:  # pragma: no cover - the slow path is kept for installs without it
    fastjsonschema = None

from sandbox.config import DEVELOPMENT, EXTENDED

SPEC_PATH = pathlib.Path(__file__).resolve().parent / "spec" / "spotify-web-api-openapi.yml"
_DOC_ONLY = {
    "description",
    "example",
    "examples",
    "deprecated",
    "discriminator",
    "title",
    "format",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
}

# Feb 2026: fields removed for Development Mode apps that the spec still marks required.
DEVELOPMENT_MODE_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("AlbumBase", "available_markets"),
    ("AlbumObject", "label"),
    ("AlbumObject", "popularity"),
    ("ShowBase", "available_markets"),
    ("ShowBase", "publisher"),
)
# Both modes: places where Spotify really sends `null` but the spec does not say nullable:
# unavailable playlist rows, plays outside any context, and the last page of a cursor listing.
NULLABLE_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("PlaylistTrackObject", "item"),
    ("PlaylistTrackObject", "track"),
    ("PlayHistoryObject", "context"),
    ("CursorPagingObject", "next"),
    ("CursorPagingObject", "cursors"),
)
# Both modes: local files carry null ids/hrefs and an empty album (as on Spotify), so rows with
# `is_local: true` are exempt from the track schema; a null inside an array (a batch lookup's
# unknown id) is accepted too. Both are pruned from the copy that is validated, see `_prune`.

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "message": {"type": "string"},
            },
        }
    },
}


def convert(node: Any) -> Any:
    """One OpenAPI 3.0 schema → JSON Schema draft 7."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DOC_ONLY or key.startswith("x-") or key == "nullable":
            continue
        if key == "properties":
            out[key] = {name: convert(schema) for name, schema in value.items()}
        elif key in {"allOf", "oneOf", "anyOf"}:
            out[key] = [convert(schema) for schema in value]
        elif key in {"items", "not", "additionalProperties"}:
            out[key] = convert(value)
        else:
            out[key] = value
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, out]}
    return out


class ResponseValidator:
    def __init__(self, *, spec_path: pathlib.Path = SPEC_PATH) -> None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(spec_path, encoding="utf-8") as handle:
            spec = yaml.load(handle, Loader=loader)
        base = {name: convert(schema) for name, schema in spec["components"]["schemas"].items()}
        _make_nullable(base, NULLABLE_EXCEPTIONS)
        development = copy.deepcopy(base)
        _drop_required(development, DEVELOPMENT_MODE_EXCEPTIONS)
        self.schemas = {DEVELOPMENT: development, EXTENDED: base}
        self.responses = spec["components"]["responses"]
        self.operations: list[tuple[str, re.Pattern[str], str, dict]] = []
        for template, methods in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
            for method, operation in methods.items():
                if isinstance(operation, dict) and "responses" in operation:
                    self.operations.append((method.upper(), pattern, template, operation["responses"]))
        # Literal segments win over placeholders (/me/playlists before /users/{id}/...).
        self.operations.sort(key=lambda op: op[2].count("{"))
        self._cache: dict[tuple[str, str, str, int], Callable[[Any], list[str]] | None] = {}
        self._errors = {mode: self._compile(ERROR_SCHEMA, mode) for mode in self.schemas}

    def validate(self, *, mode: str, method: str, path: str, status: int, body: Any) -> list[str]:
        """Problems with one response; `path` is relative to /v1."""
        # Spotify (and spotipy, for /me/) tolerate a trailing slash; the spec's paths have none.
        path = path.rstrip("/") or "/"
        if isinstance(body, dict) and "error" in body and status >= 400:
            return self._errors[mode](body)
        template = next((op[2] for op in self.operations if op[0] == method and op[1].match(path)), None)
        if template is None:
            return [f"No operation in the spec for {method} {path}"]
        check = self._validator(mode=mode, method=method, template=template, status=status)
        if check is None:
            return [f"Status {status} is not documented for {method} {template}"]
        return check(_prune(body))

    def _validator(
        self, *, mode: str, method: str, template: str, status: int
    ) -> Callable[[Any], list[str]] | None:
        key = (mode, method, template, status)
        if key not in self._cache:
            responses = next(op[3] for op in self.operations if op[0] == method and op[2] == template)
            response = responses.get(str(status))
            if response is not None and "$ref" in response:
                response = self.responses[response["$ref"].rsplit("/", 1)[-1]]
            schema = (response or {}).get("content", {}).get("application/json", {}).get("schema")
            self._cache[key] = None if schema is None else self._compile(convert(schema), mode)
        return self._cache[key]

    def _compile(self, schema: dict, mode: str) -> Callable[[Any], list[str]]:
        root = {"allOf": [schema], "components": {"schemas": self.schemas[mode]}}
        if fastjsonschema is not None:
            compiled = fastjsonschema.compile(root)

            def check(body: Any) -> list[str]:
                try:
                    compiled(body)
                except fastjsonschema.JsonSchemaValueException as error:
                    return [f"{error.name}: {error.message[:300]}"]
                return []

            return check
        validator = jsonschema.Draft7Validator(root)

        def slow_check(body: Any) -> list[str]:
            return [
                f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
                for e in itertools.islice(validator.iter_errors(body), 5)
            ]

        return slow_check


def _prune(node: Any) -> Any:
    """A copy without the documented exemptions: local-file rows and nulls inside arrays."""
    if isinstance(node, list):
        return [
            _prune(item)
            for item in node
            if item is not None and not (isinstance(item, dict) and item.get("is_local") is True)
        ]
    if isinstance(node, dict):
        return {key: _prune(value) for key, value in node.items()}
    return node


def _schema_with(schemas: dict, name: str, field: str, *, key: str) -> dict:
    """The (sub)schema of `name` that holds `field` under `key`; fails loudly if the spec changed."""
    candidates = [schemas[name], *schemas[name].get("allOf", [])]
    for candidate in candidates:
        if field in candidate.get(key, ()):
            return candidate
    raise LookupError(f"Spec exception {name}.{field} no longer applies; revisit the exception list.")


def _drop_required(schemas: dict, exceptions: tuple[tuple[str, str], ...]) -> None:
    for name, field in exceptions:
        holder = _schema_with(schemas, name, field, key="required")
        holder["required"] = [item for item in holder["required"] if item != field]


def _make_nullable(schemas: dict, exceptions: tuple[tuple[str, str], ...]) -> None:
    for name, field in exceptions:
        holder = _schema_with(schemas, name, field, key="properties")
        holder["properties"][field] = {"anyOf": [{"type": "null"}, holder["properties"][field]]}
