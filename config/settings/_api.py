"""The API: JSON input limits, Django REST framework and the schema (drf-spectacular)."""

from __future__ import annotations

from config.settings._environment import env

# --- JSON input ------------------------------------------------------------------
# Every JSON a client sends (API bodies, JSON in forms) is read by core.json_input.parse_json:
# at most this many levels of arrays and objects, and this many bytes (the device library's
# endpoints take 2 MB whatever this says: a whole library travels in one body).
JSON_MAX_DEPTH = env.integer("JSON_MAX_DEPTH", default=32, minimum=8)
JSON_MAX_BODY_BYTES = env.integer("JSON_MAX_BODY_BYTES", default=1024 * 1024, minimum=64 * 1024)

# --- DRF ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: DRF answers an anonymous request with the first class's
    # WWW-Authenticate header, so unauthenticated calls get a 401 ("Token"), not a 403.
    # Which class authenticates is unchanged: Token only acts on an Authorization header.
    # Listeners' API tokens, hashed, one per device (accounts.models.ApiToken).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api_input.PageNumbers",
    "PAGE_SIZE": 50,
    # drf-spectacular, plus the answers every operation shares (400/401/403/404/415/429).
    "DEFAULT_SCHEMA_CLASS": "core.api_docs.ApiSchema",
    # The API reads JSON only: its clients (scripts, device apps, the pages' scripts) send JSON,
    # and form encodings would read a blank field as left out and need their own schema.
    # Within JSON_MAX_DEPTH and JSON_MAX_BODY_BYTES (core.json_input): past them, or malformed, a
    # 400 with a `detail`, never a RecursionError's 500.
    "DEFAULT_PARSER_CLASSES": ["core.json_input.JSONParser"],
    # Domain errors carry their status and body (core.errors.DomainError): one handler answers them.
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
}
# /api/schema/, /api/docs/ and /api/redoc/ for anyone (the demo, config.settings.dev) or only for
# signed-in callers (the default: the schema maps every endpoint, staff ones too).
API_DOCS_PUBLIC = env.boolean("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Linernotes API",
    "DESCRIPTION": (
        "Your Spotify library, mirrored, routed and explained. Session auth (pages), or "
        "`Authorization: Token <secret>` with an API token per device or script (/api/me/tokens/)."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs pages: signed-in callers only, unless API_DOCS_PUBLIC.
    "SERVE_PERMISSIONS": ["core.api_docs.DocsAccess"],
    # Request and response components apart, so a request says what it refuses (a blank string,
    # minLength 1) without a response seeming to promise it.
    "COMPONENT_SPLIT_REQUEST": True,
    # `<id:pk>` (core.api_input.IdConverter): an integer of at most 18 digits.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind"; each choice set gets its own named enum.
    "ENUM_NAME_OVERRIDES": {
        "SyncKindEnum": "sync.models.SyncKind",
        # Every run (import, route, analysis batch, insight) shares core.runs.RunStatus.
        "RunStatusEnum": "core.runs.RunStatus",
        "PlaylistKindEnum": "library.models.PlaylistKind",
        "ItemKindEnum": "library.models.ItemKind",
        "RouteRunKindEnum": "routing.models.RouteRunKind",
    },
}
