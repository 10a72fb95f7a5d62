"""Settings shared by every environment; all deployment knobs come from the environment.

Django's own frame is here; each topic has its module, which reads its own variables:
_storage (database, cache, queue), _security (sign-in, proxy headers, the admin's login limit),
_spotify (Spotify and signing in with it), _product (LLM providers, analysis, routing, fairness)
and _api (DRF, the schema, JSON limits). _environment comes first: it loads the env file."""

from __future__ import annotations

from config.settings._environment import BASE_DIR, VAR_DIR, env
from config.settings._storage import *  # noqa: F403
from config.settings._security import *  # noqa: F403
from config.settings._spotify import *  # noqa: F403
from config.settings._product import *  # noqa: F403
from config.settings._api import *  # noqa: F403

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
    "django.contrib.humanize",  # thousands separators on the pages' counts (intcomma)
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
    # Reads of every app above, as files; nothing imports it but the root URLs.
    "exports",
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.optional_str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
