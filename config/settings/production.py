"""Production: everything `manage.py check --deploy` asks for, behind a TLS-terminating proxy."""

from config import env
from config.settings.base import *  # noqa: F403

if DEBUG:  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DEBUG must be false with config.settings.production.")

# Django's check --deploy only warns of a weak key; a deployment started with .env.example's
# placeholder (or any short key) would sign sessions and reset links with a guessable one.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("change-me"):  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is a placeholder or too short for production: at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# Persistent database connections: a new one per request costs PostgreSQL a process start and the
# worker a handshake (with them bench/api_load.py serves nearly twice the requests). Checked before
# reuse, so a connection the server closed meanwhile is replaced instead of failing a request.
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

# Trusted only behind a proxy that overwrites the header and is the only way in (compose's
# `proxy`): with gunicorn reachable directly, anyone could claim HTTPS with it.
if TRUST_PROXY_HEADERS:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=True)
# /health is probed over plain HTTP by the orchestrator inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
