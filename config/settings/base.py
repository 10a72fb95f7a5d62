"""Settings shared by every environment; all deployment knobs come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# An explicit ENV_FILE wins (the demo points it at var/demo.env); otherwise a
# developer's .env in the project root. Real environment variables always win.
env.load_env_file(path=Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))

SECRET_KEY = env.required_str("SECRET_KEY")
DEBUG = env.boolean("DEBUG", default=False)
ALLOWED_HOSTS = env.str_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.str_list("CSRF_TRUSTED_ORIGINS", default=[])

FIELD_ENCRYPTION_KEYS = env.fernet_keys("FIELD_ENCRYPTION_KEYS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # the admin login's limit on failed attempts (settings at "Admin sign-in" below)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "core",
    "accounts",
    "accounts.spotify_provider",
    "library",
    "devices",
    # After library: it reads Spotify into library.records; imports accounts, library, core.
    "spotify",
    "sync",
    "analysis",
    "routing",
    "insights",
    "llm",
    # Only for `manage.py sandbox`; product code never imports it.
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Errors under /api/ are JSON, Django's own 404 and 500 pages included (inside Security, so
    # its headers reach the JSON answer too).
    "core.middleware.ApiJsonErrors",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, as django-axes asks: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'linernotes.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the cluster read while one of them writes;
    # the timeout makes a writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "linernotes",
            # 2: values are JSON since then; entries pickled by earlier versions are never read.
            "VERSION": 2,
            "OPTIONS": {
                # JSON, not django-redis's default pickle: unpickling a value planted in Redis
                # would run code in every process (core.cache_serializer).
                "SERIALIZER": "core.cache_serializer.StrictJSONSerializer",
                # A cache outage degrades to misses instead of failing requests.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "linernotes_cache",
            "KEY_PREFIX": "linernotes",
            # Django's default of 300 entries would cull most of a big base's artists
            # (one entry each) before the next route reads them.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# Django-Q2: the ORM broker by default, Redis when REDIS_URL is set. Two clusters, each its own
# `qcluster` process with its own workers and time limit (core.queues): *interactive* (imports,
# routes, metadata warm-up, device work), the default one, which a plain `manage.py qcluster`
# runs; and *bulk* (song analysis, written insights, listener rounds), started with
# `Q_CLUSTER_NAME=<name>-bulk manage.py qcluster`, so a big analysis backlog never waits before a
# listener's import. `timeout` must stay below `retry`, or a slow task would be handed to a
# second worker while the first still runs it.
Q_CLUSTER = {
    "name": "linernotes",
    "workers": env.integer("Q_WORKERS", default=2, minimum=1),
    "timeout": env.integer("Q_TIMEOUT", default=600, minimum=1),
    "retry": env.integer("Q_RETRY", default=720, minimum=2),
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 2000,
    "label": "Background tasks",
    "poll": 0.5,
}
# One process for both queues (a small host, or a deployment not yet starting the bulk cluster):
# bulk work then runs on the interactive cluster, without the separation, but nothing waits for
# a cluster that is not there.
Q_SINGLE_CLUSTER = env.boolean("Q_SINGLE_CLUSTER", default=False)
Q_BULK = {
    "workers": env.integer("Q_BULK_WORKERS", default=2, minimum=1),
    "timeout": env.integer("Q_BULK_TIMEOUT", default=900, minimum=1),
    "retry": env.integer("Q_BULK_RETRY", default=1020, minimum=2),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
for _prefix, _limits in (("Q", Q_CLUSTER), ("Q_BULK", Q_BULK)):
    if _limits["timeout"] >= _limits["retry"]:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{_prefix}_TIMEOUT must be lower than {_prefix}_RETRY.")


def alt_clusters(q_cluster: dict, bulk: dict) -> dict:
    """The bulk cluster, named after the site's cluster (Redis keys its queue by that name, so a
    test run's queues stay apart from a demo's sharing the server)."""
    return {f"{q_cluster['name']}-bulk": dict(bulk)}


Q_CLUSTER["ALT_CLUSTERS"] = alt_clusters(Q_CLUSTER, Q_BULK)

AUTHENTICATION_BACKENDS = [
    # First: refuses a password sign-in (the admin's; listeners sign in with Spotify) while the
    # caller's address or the username is locked out, before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.optional_str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/"

# --- Spotify ---------------------------------------------------------------
SPOTIFY_CLIENT_ID = env.optional_str("SPOTIFY_CLIENT_ID")
SPOTIFY_CLIENT_SECRET = env.optional_str("SPOTIFY_CLIENT_SECRET")
SPOTIFY_REDIRECT_URI = env.optional_str("SPOTIFY_REDIRECT_URI")
SPOTIFY_API_URL = env.http_url("SPOTIFY_API_URL", default="https://api.spotify.com/v1")
SPOTIFY_ACCOUNTS_URL = env.http_url("SPOTIFY_ACCOUNTS_URL", default="https://accounts.spotify.com")
# Which Web API surface our Spotify app has. "development": the February 2026 rules
# (no batch lookups, no popularity, items only of own/collaborative playlists, pages of
# 50); "extended": the older full surface (batch lookups, pages of 100 on /tracks).
SPOTIFY_APP_MODE = env.choice("SPOTIFY_APP_MODE", choices=("development", "extended"), default="development")
SPOTIFY_SCOPES = [
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
    "user-library-read",
    "user-top-read",
    "user-read-recently-played",
    "user-read-email",
]
# A Retry-After up to this many seconds is waited out in-process; a longer one (or a quota
# 429) pauses every Spotify call of the deployment until then instead of blocking a worker.
SPOTIFY_MAX_RETRY_AFTER = env.integer("SPOTIFY_MAX_RETRY_AFTER", default=10)
# A run postponed by Spotify's rate limit never comes back sooner than this (seconds), whatever
# Retry-After said (0, missing): coming straight back re-read the playlist list each time.
SPOTIFY_MIN_POSTPONE = env.integer("SPOTIFY_MIN_POSTPONE", default=30, minimum=1)
SPOTIFY_HTTP_TIMEOUT = env.integer("SPOTIFY_HTTP_TIMEOUT", default=15, minimum=1)
# Item pages an import fetches at once (threads doing HTTP only); 1 reads one page at a time.
SPOTIFY_FETCH_CONCURRENCY = env.integer("SPOTIFY_FETCH_CONCURRENCY", default=4, minimum=1)
# Refresh the access token this long before Spotify says it expires.
SPOTIFY_REFRESH_MARGIN = env.integer("SPOTIFY_REFRESH_MARGIN", default=120)
# Spotify ends a grant (its refresh token answers invalid_grant) this many days after the
# listener first authorised it; the dashboard warns SPOTIFY_GRANT_WARNING_DAYS before that.
SPOTIFY_GRANT_LIFETIME_DAYS = env.integer("SPOTIFY_GRANT_LIFETIME_DAYS", default=182, minimum=1)
SPOTIFY_GRANT_WARNING_DAYS = env.integer("SPOTIFY_GRANT_WARNING_DAYS", default=14, minimum=0)

# --- LLM providers -------------------------------------------------------------
# A JSON list of providers (see config.env.llm_providers), checked here at start-up and
# written to the database by `manage.py sync_llm_providers`; the admin adds others.
LLM_PROVIDERS = env.llm_providers("LLM_PROVIDERS")
# A failed provider is skipped for base * 2^(failures-1) seconds, at most max.
LLM_CIRCUIT_BASE_COOLDOWN = env.integer("LLM_CIRCUIT_BASE_COOLDOWN", default=30, minimum=1)
LLM_CIRCUIT_MAX_COOLDOWN = env.integer("LLM_CIRCUIT_MAX_COOLDOWN", default=900, minimum=1)
# Seconds a health check may take per provider (it is a GET of a list, never a completion).
LLM_HEALTH_CHECK_TIMEOUT = env.integer("LLM_HEALTH_CHECK_TIMEOUT", default=10, minimum=1)
# Per-call records older than this are deleted by the health-check task.
LLM_CALL_RETENTION_DAYS = env.integer("LLM_CALL_RETENTION_DAYS", default=30, minimum=1)
# LLM providers and LRCLIB are called only at public addresses (core.outbound): a provider
# pointed at a private, loopback or link-local address is refused. True lets them through: for
# a server on this machine or its private network (the demo, the tests, compose's Ollama), at
# the price that whoever may edit providers may make this server call any internal address.
LLM_ALLOW_PRIVATE_HOSTS = env.boolean("LLM_ALLOW_PRIVATE_HOSTS", default=False)
# The most of an answer read from an LLM provider or LRCLIB (core.outbound): a longer one is a
# failure of that host, its rest unread. Model lists are the longest answers (a few hundred KB).
OUTBOUND_MAX_ANSWER_BYTES = env.integer(
    "OUTBOUND_MAX_ANSWER_BYTES", default=4 * 1024 * 1024, minimum=64 * 1024
)

# --- Song analysis ---------------------------------------------------------------
# LRCLIB's base URL (the demo and the tests point it at the sandbox's /lrclib).
LYRICS_API_URL = env.http_url("LYRICS_API_URL", default="https://lrclib.net")
LYRICS_HTTP_TIMEOUT = env.integer("LYRICS_HTTP_TIMEOUT", default=10, minimum=1)
# Tracks per queued analysis task: small enough that a task ends well inside Q_TIMEOUT.
ANALYSIS_BATCH_SIZE = env.integer("ANALYSIS_BATCH_SIZE", default=20, minimum=1)
# Batches of one listener in the bulk queue (or running) at a time; the rest wait in the database
# and are handed over as these end, so a huge library never fills the queue ahead of others.
ANALYSIS_BATCHES_PER_LISTENER = env.integer("ANALYSIS_BATCHES_PER_LISTENER", default=2, minimum=1)
# Songs a batch analyses before it gives its worker to another listener's waiting batch (it goes
# on later from where it stopped): a new listener waits for this many songs, not a whole batch.
ANALYSIS_TURN_SONGS = env.integer("ANALYSIS_TURN_SONGS", default=3, minimum=1)
# Seconds an import runs before, between two playlists, it gives its worker to another listener's
# waiting import or route (it goes on later from there; 0: after every playlist, as tests do).
IMPORT_TURN_SECONDS = env.integer("IMPORT_TURN_SECONDS", default=2, minimum=0)
# Listeners per task of a round (history poll, daily ingest, token refresh): each chunk is its
# own task, with its own time limit and failure record (core.fanout).
LISTENER_ROUND_CHUNK = env.integer("LISTENER_ROUND_CHUNK", default=20, minimum=1)

# --- Routing safety --------------------------------------------------------------
# A route that would remove more than this percentage of a child holding at least
# ROUTE_CONFIRM_MIN_TRACKS tracks (or empty a non-empty child) stops before writing and
# waits for the listener's confirmation.
ROUTE_CONFIRM_REMOVAL_PERCENT = env.integer("ROUTE_CONFIRM_REMOVAL_PERCENT", default=50, minimum=1)
ROUTE_CONFIRM_MIN_TRACKS = env.integer("ROUTE_CONFIRM_MIN_TRACKS", default=20, minimum=1)
# Backups of a child's contents kept: its newest ROUTE_BACKUPS_KEEP, and any younger than
# ROUTE_BACKUP_DAYS days (pruned daily).
ROUTE_BACKUPS_KEEP = env.integer("ROUTE_BACKUPS_KEEP", default=10, minimum=1)
ROUTE_BACKUP_DAYS = env.integer("ROUTE_BACKUP_DAYS", default=30, minimum=1)

# --- Job records -----------------------------------------------------------------
# Finished job records (and Django-Q's failed tasks) older than this are pruned on Mondays.
JOB_RECORD_DAYS = env.integer("JOB_RECORD_DAYS", default=30, minimum=1)

# --- Fairness between listeners --------------------------------------------------------
# Requests each listener (keyed by user id) may make per scope, counted in the default cache so
# a limit holds across web processes; an endpoint and the page doing the same share a counter
# (core.throttles). THROTTLE_RATES replaces some: "imports=10/hour,previews=off".
THROTTLE_RATES = env.throttle_rates(
    "THROTTLE_RATES",
    defaults={
        "imports": "6/hour",  # imports and their retries
        "routes": "30/hour",  # routes, their retries and restores, across the listener's bases
        "previews": "300/hour",  # the filter editor's live preview posts a draft per change
        "ingest": "6/hour",  # reading the listening from Spotify ("Ingest now")
        "insights": "30/hour",  # asking for and regenerating insights (a new text is an LLM call)
        "device_sync": "120/hour",  # a device's library sync and its one-collection PUTs
    },
)
# A written insight is not written again within this many seconds of its last writing (0: no wait).
INSIGHT_REGENERATE_COOLDOWN = env.integer("INSIGHT_REGENERATE_COOLDOWN", default=600)

# --- Behind the proxy ------------------------------------------------------------
# True only when every request reaches the web processes through a proxy that sets (overwrites)
# X-Forwarded-Proto and X-Forwarded-For, and nothing else can reach them (compose's `proxy`
# service). Then production trusts X-Forwarded-Proto for HTTPS, and the admin's failed-login limit
# counts the address the proxy put last in X-Forwarded-For. False: both would be the caller's to
# forge, so neither header is read (core.client_ip).
TRUST_PROXY_HEADERS = env.boolean("TRUST_PROXY_HEADERS", default=False)

# --- Admin sign-in (django-axes) ---------------------------------------------------
# The admin's password sign-in (the only one: listeners use Spotify) is refused for
# ADMIN_LOGIN_COOLOFF_MINUTES once an address, or a username, has ADMIN_LOGIN_FAILURE_LIMIT failed
# attempts within that time: by address stops one guesser trying many usernames, by username stops
# many addresses guessing one password (at the cost that they can keep that user out meanwhile;
# `manage.py axes_reset_username NAME` lets them in). A success clears the count.
ADMIN_LOGIN_FAILURE_LIMIT = env.integer("ADMIN_LOGIN_FAILURE_LIMIT", default=5, minimum=1)
ADMIN_LOGIN_COOLOFF_MINUTES = env.integer("ADMIN_LOGIN_COOLOFF_MINUTES", default=15, minimum=1)
AXES_FAILURE_LIMIT = ADMIN_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=ADMIN_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# Failed attempts only: axes would otherwise keep a row of every sign-in, each listener's included.
AXES_DISABLE_ACCESS_LOG = True
AXES_COOLOFF_MESSAGE = (
    f"Too many failed sign-ins from this address or for this username: try again in "
    f"{ADMIN_LOGIN_COOLOFF_MINUTES} minutes."
)

# --- JSON input ------------------------------------------------------------------
# Every JSON a client sends (API bodies, JSON in forms) is read by core.json_input.parse_json:
# at most this many levels of arrays and objects, and this many bytes (the device library's
# endpoints take 2 MB whatever this says: a whole library travels in one body).
JSON_MAX_DEPTH = env.integer("JSON_MAX_DEPTH", default=32, minimum=8)
JSON_MAX_BODY_BYTES = env.integer("JSON_MAX_BODY_BYTES", default=1024 * 1024, minimum=64 * 1024)

# --- allauth -----------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Tokens live only in accounts.SpotifyCredential, encrypted; never in allauth's plaintext table.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "spotify": {
        "SCOPE": SPOTIFY_SCOPES,
        "OAUTH_PKCE_ENABLED": True,
        "APP": {"client_id": SPOTIFY_CLIENT_ID, "secret": SPOTIFY_CLIENT_SECRET, "key": ""},
    }
}

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
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.optional_str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
