"""Reading JSON that someone sent us, within limits: the API's request bodies and the pages' JSON.

Python's json module recurses once per level of nesting, so a body of 10,000 "[" ends in a
RecursionError, a 500, wherever it is parsed; and a parser reads whatever size it is given. So
everything a client sends as JSON is read by `parse_json`:
- the API's request bodies, by `JSONParser` (REST_FRAMEWORK's default JSON parser);
- JSON text inside a form-encoded API request, by the serializer field `JSONInputField`;
- the pages' JSON fields (routing's filter editor), by calling `parse_json` in the form.
- what LLM providers and LRCLIB answer us, by core.outbound's `read_json` (with a byte limit of
  its own, OUTBOUND_MAX_ANSWER_BYTES).

Limits (settings): JSON_MAX_DEPTH levels of arrays and objects (default 32) and
JSON_MAX_BODY_BYTES (default 1 MB). An API view may raise its own body limit with
`json_max_bytes` (the device library takes 2 MB: a whole library goes back and forth). The depth
is measured before parsing, by a scan that does not recurse, so json never sees a document it
could choke on. Over a limit, or not JSON: `JsonInputError` with a sentence, which the API
answers as 400 {"detail": ...} and a form shows at its field.

Bodies are read from the request's stream, at most the limit and one byte, rather than through
HttpRequest.body: Django would refuse a body past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with an HTML
400, and a body declared larger than the limit is refused from its Content-Length, unread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from rest_framework import renderers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, get_encoding

__all__ = [
    "JSONInputField", "JSONParser", "JsonInputError", "JsonLimits", "JsonTooDeep", "default_limits", "parse_json",
]  # fmt: skip

# An escape pair, a quote or a bracket: one token at a time, each matched in constant time. (A
# pattern matching whole strings rescanned to the end from every quote of a string never closed:
# quadratic, a 64 KB body held a worker for 20 s.)
_TOKEN = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_OPENING = frozenset("[{")


class JsonInputError(ValueError):
    """JSON we will not read: malformed, too deep or too large. `reason` is set for malformed
    JSON (json's own words and where: "Expecting value at line 1, column 3")."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class JsonTooDeep(JsonInputError):
    """Nested past the depth limit (callers that word it their own way catch this one)."""


@dataclass(frozen=True)
class JsonLimits:
    max_depth: int
    max_bytes: int


def default_limits() -> JsonLimits:
    return JsonLimits(max_depth=settings.JSON_MAX_DEPTH, max_bytes=settings.JSON_MAX_BODY_BYTES)


def size_in_words(size: int) -> str:
    """1048576 → "1 MB", 2097152 → "2 MB", 65536 → "64 KB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            amount = size / scale
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{size} bytes"


def too_large_message(*, what: str, size: int, limit: int) -> str:
    return f"{what} is {size:,} bytes; the limit is {limit:,} bytes ({size_in_words(limit)})."


def parse_json(text: str, *, limits: JsonLimits | None = None, what: str = "This JSON") -> Any:
    """The value `text` holds, refused with JsonInputError when it is over a limit or not JSON.

    NaN and Infinity are refused too (json accepts them; they are not JSON, and no field of ours
    takes them), as are integers too long for Python to read."""
    limits = limits or default_limits()
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limits.max_bytes:
        raise JsonInputError(too_large_message(what=what, size=size, limit=limits.max_bytes))
    if deeper_than(text, limits.max_depth):
        raise JsonTooDeep(
            f"{what} is nested more than {limits.max_depth} levels deep (arrays and objects); "
            f"the limit is {limits.max_depth}."
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise JsonInputError(f"JSON parse error - {reason}.", reason=reason) from None
    except (ValueError, RecursionError) as exc:
        # ValueError: a constant we refuse, an integer past sys.get_int_max_str_digits. RecursionError
        # cannot happen within the depth limit; caught anyway, since a 500 is what this module prevents.
        raise JsonInputError(f"JSON parse error - {exc}.", reason=str(exc)) from None


def deeper_than(text: str, max_depth: int) -> bool:
    """Does `text` nest arrays and objects more than `max_depth` deep? A scan, not a parse: a loop
    over the brackets outside strings, stopping at the first level past the limit. Malformed text
    gets an answer too (json refuses it next)."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # too few brackets to be too deep: most documents stop here
    depth = 0
    in_string = False
    for token in _TOKEN.finditer(text):
        char = text[token.start()]
        if char == "\\":
            continue  # an escaped character: never a quote or a bracket
        if char == '"':
            in_string = not in_string
            continue
        if in_string:
            continue
        if char in _OPENING:
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


class JSONParser(BaseParser):
    """DRF's JSON parser with our limits (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

    Not a subclass of DRF's JSONParser on purpose: DRF reads such a parser's body through
    HttpRequest.body, whole, before the parser can look at its size. A view may set
    `json_max_bytes` (its body limit) and `json_too_large_hint` (a sentence added to the refusal).
    """

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        context = parser_context or {}
        view = context.get("view")
        defaults = default_limits()
        limits = JsonLimits(
            max_depth=defaults.max_depth, max_bytes=getattr(view, "json_max_bytes", None) or defaults.max_bytes
        )
        request = context.get("request")
        declared = (request.META.get("CONTENT_LENGTH") or "") if request is not None else ""
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise ParseError(self._too_large(view, int(declared), limits))
        raw = stream.read(limits.max_bytes + 1) if stream is not None else b""
        if len(raw) > limits.max_bytes:
            raise ParseError(self._too_large(view, len(raw), limits))
        encoding = get_encoding(context)  # refuses charsets that are not text encodings
        try:
            text = raw.decode(encoding)
        except UnicodeError as exc:  # UnicodeDecodeError, or a codec's plain UnicodeError (punycode)
            reason = getattr(exc, "reason", None) or "it cannot be decoded"
            raise ParseError(f"JSON parse error - the body is not valid {encoding} ({reason}).") from None
        try:
            return parse_json(text, limits=limits, what="The request body")
        except JsonInputError as exc:
            raise ParseError(str(exc)) from None

    @staticmethod
    def _too_large(view: Any, size: int, limits: JsonLimits) -> str:
        hint = getattr(view, "json_too_large_hint", "")
        message = too_large_message(what="Request body", size=size, limit=limits.max_bytes)
        return f"{message} {hint}" if hint else message


class JSONInputField(serializers.JSONField):
    """DRF's JSONField, reading JSON text (a field of a form-encoded API request) with parse_json.
    A value that came in a JSON body was read by JSONParser already, within the limits."""

    def to_internal_value(self, data: Any) -> Any:
        if self.binary or getattr(data, "is_json_string", False):
            text = data.decode() if isinstance(data, bytes) else str(data)
            try:
                return parse_json(text, what="This field's JSON")
            except JsonInputError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return super().to_internal_value(data)
