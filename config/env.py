"""Reading and validating environment variables.

Every reader raises ``ImproperlyConfigured`` with the variable's name, so a
missing or malformed setting stops the process at start-up with a message
that says which variable to fix, instead of failing later and obscurely.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DB_ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


def load_env_file(*, path: Path) -> None:
    """Load KEY=value lines from ``path`` without overriding the real environment."""
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def required_str(name: str) -> str:
    value = _raw(name)
    if not value:
        raise ImproperlyConfigured(f"{name} is required but not set.")
    return value


def optional_str(name: str, *, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def boolean(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {value!r}.")


def integer(name: str, *, default: int, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def choice(name: str, *, choices: tuple[str, ...], default: str) -> str:
    value = (_raw(name) or default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def str_list(name: str, *, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def http_url(name: str, *, default: str | None = None) -> str:
    value = _raw(name) or default
    if not value:
        raise ImproperlyConfigured(f"{name} is required but not set.")
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ImproperlyConfigured(f"{name} must be an http(s) URL, got {value!r}.")
    return value.rstrip("/")


def database(name: str, *, default: str) -> dict:
    value = _raw(name) or default
    try:
        config = _env.db_url_config(value)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config.get("ENGINE") not in _DB_ENGINES:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:// or postgres:// URL, got scheme {value.split(':', 1)[0]!r}."
        )
    return config


def redis_url(name: str) -> str:
    value = _raw(name)
    if not value:
        return ""
    parsed = urlparse(value)
    if parsed.scheme not in {"redis", "rediss", "unix"} or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {value!r}.")
    return value


def fernet_keys(name: str) -> list[str]:
    """Comma-separated Fernet keys: the first encrypts, all of them decrypt."""
    keys = str_list(name, default=[])
    if not keys:
        raise ImproperlyConfigured(
            f"{name} is required: generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"{name}: key #{position} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    return keys
