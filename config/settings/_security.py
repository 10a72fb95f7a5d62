"""Who may sign in and how: authentication backends, password rules, the proxy's headers and
the admin's failed-login limit (django-axes)."""

from __future__ import annotations

from datetime import timedelta

from config.settings._environment import env

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
