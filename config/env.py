"""Reading and validating environment variables.

Every reader raises ``ImproperlyConfigured`` with the variable's name, so a
missing or malformed setting stops the process at start-up with a message
that says which variable to fix, instead of failing later and obscurely.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
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


_LLM_KINDS = ("openai", "ollama", "runpod")
# llm.models.JsonMode's values (config imports no app): the first is the default.
_LLM_JSON_MODES = ("json_schema", "json_object_schema")
_LLM_REQUIRED = ("name", "kind", "base_url", "model")
_LLM_NUMBERS = {"priority": int, "connect_timeout": float, "read_timeout": float, "max_tokens": int}
_LLM_KEYS = {*_LLM_REQUIRED, *_LLM_NUMBERS, "api_key", "api_key_env", "enabled", "json_mode"}
_LLM_NAME = r"[-a-zA-Z0-9_]{1,64}"


def llm_providers(name: str) -> list[dict]:
    """A JSON list of LLM providers; each entry is checked and named in any error.

    Entry: name, kind (openai|ollama|runpod), base_url, model; optional api_key or
    api_key_env (the name of a variable holding the key), priority, enabled,
    connect_timeout, read_timeout, max_tokens, json_mode (openai kind only: json_schema, the
    default, or json_object_schema for llama.cpp's server). Keys are never quoted in a message.
    """
    value = _raw(name)
    if not value:
        return []
    try:
        entries = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc.msg} at character {exc.pos}.") from None
    if not isinstance(entries, list):
        raise ImproperlyConfigured(f"{name} must be a JSON list of provider objects.")
    providers, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        label = f"{name} entry #{position}"
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"{label} must be an object.")
        if isinstance(entry.get("name"), str):
            label = f"{label} ({entry['name']!r})"

        def bad(problem: str, *, label: str = label) -> ImproperlyConfigured:
            return ImproperlyConfigured(f"{label}: {problem}")

        unknown = sorted(set(entry) - _LLM_KEYS)
        if unknown:
            raise bad(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_LLM_KEYS))}.")
        missing = [
            key for key in _LLM_REQUIRED if not isinstance(entry.get(key), str) or not entry[key].strip()
        ]
        if missing:
            raise bad(f"{', '.join(missing)} must be non-empty string(s).")
        provider = {key: entry[key].strip() for key in _LLM_REQUIRED}
        if not re.fullmatch(_LLM_NAME, provider["name"]):
            raise bad("name may hold only letters, digits, - and _ (at most 64).")
        if provider["name"] in seen:
            raise bad("name is used by an earlier entry.")
        seen.add(provider["name"])
        if provider["kind"] not in _LLM_KINDS:
            raise bad(f"kind must be one of {', '.join(_LLM_KINDS)}, got {provider['kind']!r}.")
        parsed = urlparse(provider["base_url"])
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise bad(f"base_url must be an http(s) URL, got {provider['base_url']!r}.")
        provider["base_url"] = provider["base_url"].rstrip("/")
        for key, kind in _LLM_NUMBERS.items():
            if key not in entry:
                continue
            number = entry[key]
            # json.loads accepts Infinity and NaN: neither is a timeout or a priority.
            is_number = (
                isinstance(number, int | float) and not isinstance(number, bool) and math.isfinite(number)
            )
            if not is_number or (kind is int and number != int(number)):
                raise bad(f"{key} must be {'an integer' if kind is int else 'a number'}, got {number!r}.")
            if number < 0 or (number == 0 and key != "priority"):
                raise bad(
                    f"{key} must be {'at least 0' if key == 'priority' else 'positive'}, got {number!r}."
                )
            provider[key] = kind(number)
        if "enabled" in entry:
            if not isinstance(entry["enabled"], bool):
                raise bad("enabled must be true or false.")
            provider["enabled"] = entry["enabled"]
        if "json_mode" in entry:
            mode = entry["json_mode"]
            if mode not in _LLM_JSON_MODES:
                raise bad(f"json_mode must be one of {', '.join(_LLM_JSON_MODES)}, got {mode!r}.")
            if provider["kind"] != "openai" and mode != _LLM_JSON_MODES[0]:
                raise bad(f"json_mode {mode!r} is for the openai kind only; {provider['kind']} has one form.")
            provider["json_mode"] = mode
        if "api_key" in entry and "api_key_env" in entry:
            raise bad("give api_key or api_key_env, not both.")
        if "api_key" in entry:
            if not isinstance(entry["api_key"], str):
                raise bad("api_key must be a string.")  # its value is a secret: not quoted
            provider["api_key"] = entry["api_key"]
        if "api_key_env" in entry:
            variable = entry["api_key_env"]
            if not isinstance(variable, str) or not _raw(variable):
                raise bad(f"api_key_env names {variable!r}, which is not set.")
            provider["api_key"] = _raw(variable)
        providers.append(provider)
    return providers


_RATE = re.compile(r"(?P<count>\d+)/(?P<period>s|sec|second|m|min|minute|h|hour|d|day)")
_RATE_OFF = {"off", "none"}


def throttle_rates(name: str, *, defaults: dict[str, str | None]) -> dict[str, str | None]:
    """Per-listener request rates by scope: `defaults`, with the scopes `name` lists replaced.

    Value: comma-separated `scope=rate`, a rate being `N/second|minute|hour|day` (N at least 1)
    or `off` (no limit), e.g. `imports=10/hour,previews=off`. An unknown scope is refused rather
    than ignored: a misspelt one would leave the limit it meant to change in place, silently.
    """
    rates = dict(defaults)
    value = _raw(name)
    if not value:
        return rates
    seen: set[str] = set()
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        scope, sep, rate = (piece.strip() for piece in entry.partition("="))
        if not sep or not scope:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not scope=rate (e.g. imports=6/hour).")
        if scope not in defaults:
            raise ImproperlyConfigured(
                f"{name}: unknown scope {scope!r}; known: {', '.join(sorted(defaults))}."
            )
        if scope in seen:
            raise ImproperlyConfigured(f"{name}: scope {scope!r} is given twice.")
        seen.add(scope)
        if rate.lower() in _RATE_OFF:
            rates[scope] = None
            continue
        match = _RATE.fullmatch(rate.lower())
        if match is None or int(match["count"]) < 1:
            raise ImproperlyConfigured(
                f"{name}: {scope} must be N/second, N/minute, N/hour or N/day (N at least 1) "
                f"or off, got {rate!r}."
            )
        rates[scope] = f"{int(match['count'])}/{match['period']}"
    return rates


_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")


def private_hosts(name: str) -> bool | tuple[str, ...]:
    """Which private (loopback, link-local, ...) targets outbound calls may reach
    (core.outbound.PrivateHosts): a boolean (true: any, false or unset: none), or host names and
    IP networks separated by commas, e.g. `ollama,10.0.0.0/8,127.0.0.1`: only those.

    Entries come back normalised (names lower-case without a final dot, networks in CIDR form).
    A network with host bits set (10.0.0.1/8) is refused rather than read as a name: it would
    then allow nothing, silently; so is a boolean among names (which of the two was meant?).
    """
    value = _raw(name)
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() in _TRUE:
        return True
    entries: list[str] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if entry.lower() in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"{name}: {entry!r} among host names; give true, false or a list.")
        try:
            entries.append(str(ipaddress.ip_network(entry.removeprefix("[").removesuffix("]"))))
            continue
        except ValueError:
            host = entry.lower().rstrip(".")
        if not _HOST_NAME.fullmatch(host):
            raise ImproperlyConfigured(
                f"{name}: {entry!r} is neither a host name nor an IP network (e.g. 10.0.0.0/8; "
                f"a network's host bits must be zero)."
            )
        entries.append(host)
    return tuple(dict.fromkeys(entries)) or False
