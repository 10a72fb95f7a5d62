"""What every app's API documents alike (drf-spectacular): the error body, the answers that mean
the same everywhere, and the schema class that adds them to every operation.

A view documents what is particular to it (its 404 in its own words, its 409s); `ApiSchema`
then adds each shared answer the operation can give and does not name, so the schema lists
every status the server may send (scripts/fuzz_api.py checks it does). A request serializer
with `unknown_keys_refused = True` is documented with `additionalProperties: false`, and a
request string without a pattern of its own gets one that refuses NUL, as DRF does.
Shared answers:
- 400 where the operation reads a body or query parameters (a message per field);
- 401 everywhere (every API view needs a signed-in caller);
- 403 where a permission beyond being signed in is checked (staff), and on every write: a
  session-cookie request without its CSRF token;
- 404 where the path names an object, or the answer is paged (a page past the last);
- 415 where a body is read and it is not JSON;
- 429 where a per-listener limit applies (the view's throttles).
Every error answer is JSON (`Error`): `detail`, or messages by field, plus what a refusal adds
(the run in the way, the object that exists already). core.middleware makes the errors Django
answers itself under /api/ (a URL no view matches) the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpRequest, HttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.permissions import BasePermission


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a sentence in `detail`, or, for bad input, a list of messages under
    each field of the request that was wrong (nested as the request is), plus what the refusal
    adds (e.g. `active_event`, `existing`)."""

    detail = serializers.CharField(
        required=False, help_text="What went wrong, for people. Absent when the messages are by field."
    )


NOT_SIGNED_IN = OpenApiResponse(ErrorSerializer, description="Not signed in.")
NOT_STAFF = OpenApiResponse(ErrorSerializer, description="Signed in, but not staff holding the model permission it needs.")
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Asked too often (a per-listener limit, THROTTLE_RATES): Retry-After says in how many "
    "seconds to come back, detail says it in words.",
)


class DocsAccess(BasePermission):
    """Who may read the OpenAPI schema and its docs pages (drf-spectacular's SERVE_PERMISSIONS):
    anyone when settings.API_DOCS_PUBLIC (the demo), else a signed-in caller (session or token).
    The schema lists every endpoint, staff ones too: a map a stranger has no use for. Read per
    request, so a test can change the setting."""

    def has_permission(self, request, view) -> bool:
        return bool(settings.API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


def docs_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs pages (Swagger UI, ReDoc) for a browser: a visitor who is not signed in is sent to
    sign in and back, as for any other page, instead of a bare 401 (DocsAccess gives the schema's)."""

    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return page


# What DRF refuses in every string it reads, as patterns (a field with a pattern of its own says it
# there): a NUL character, and, where blank is refused, a string of only spaces (DRF strips them
# first).
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_REFUSED = "Signed in with the session cookie but sent without its CSRF token (X-CSRFToken)."
SHARED = {
    "400": "Invalid input: `detail`, or messages by field (a query parameter's by its name).",
    "401": "Not signed in.",
    "403": "Signed in, but not staff holding the model permission it needs.",
    "404": "No such object of yours (another listener's are not found either), or no such page.",
    "415": "The body is not JSON: send Content-Type: application/json.",
    "429": THROTTLED.description,
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the shared answers above on every operation that can give
    them, and the error body on every error answer (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._shared_codes(operation):
            responses.setdefault(code, {"description": self._shared_description(code)})
        error = {"application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}}
        for code, response in responses.items():
            if code.startswith(("4", "5")) and not response.get("content"):
                response["content"] = dict(error)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        # A request serializer that refuses keys it does not know says so (`unknown_keys_refused`).
        if getattr(serializer, "unknown_keys_refused", False):
            schema["additionalProperties"] = False
        fields = force_instance(serializer).fields
        for name, prop in schema.get("properties", {}).items():
            field = fields.get(name)
            if isinstance(field, serializers.CharField) and "pattern" not in prop:
                prop.update(_string_rules(field))
        return schema

    def _shared_codes(self, operation: dict) -> list[str]:
        codes = ["401"]
        parameters = operation.get("parameters", [])
        reads_body = "requestBody" in operation
        if reads_body or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        if reads_body:
            codes.append("415")
        paged = any(p["in"] == "query" and p["name"] in ("page", "cursor") for p in parameters)
        if paged or any(p["in"] == "path" for p in parameters):
            codes.append("404")
        if self._checks_more_than_sign_in() or self.method not in SAFE_METHODS:
            codes.append("403")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _shared_description(self, code: str) -> str:
        if code == "403" and not self._checks_more_than_sign_in():
            return CSRF_REFUSED
        return SHARED[code]

    def _checks_more_than_sign_in(self) -> bool:
        return any(
            type(permission) not in (permissions.IsAuthenticated, permissions.AllowAny)
            for permission in self.view.get_permissions()
        )


def _string_rules(field: serializers.CharField) -> dict:
    if not any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators):
        return {}
    if field.trim_whitespace and not field.allow_blank:
        return {"pattern": NOT_BLANK}
    return {"pattern": NO_NUL}
