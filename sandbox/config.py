"""Start-up options (fixed for the process) and run-time configuration (PATCH-able, reset to start-up)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sandbox.errors import ControlError

DEVELOPMENT = "development"
EXTENDED = "extended"
MODES = (DEVELOPMENT, EXTENDED)


@dataclasses.dataclass(frozen=True, slots=True)
class StartupOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    seed: int = 1
    scale: float = 1.0
    mode: str = DEVELOPMENT
    auto_approve: bool = False
    token_lifetime: int = 3600
    rate_limit: int | None = None
    client_id: str = "linernotes-sandbox"
    client_secret: str = "sandbox-secret"
    redirect_uris: tuple[str, ...] = ()
    validate_responses: bool = False
    app_name: str = "Linernotes"
    log_requests: bool = False
    # The anchor of the listener's dated activity; None: the moment the process builds its catalog.
    now: dt.datetime | None = None


def parse_anchor(raw: str) -> dt.datetime:
    """`--now` / SANDBOX_NOW: an ISO-8601 time with a zone, kept to the second like every date served."""
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"now must be an ISO-8601 time, like 2027-01-31T12:00:00Z (got {raw!r}).") from None
    if moment.tzinfo is None:
        raise ValueError(f"now needs a time zone, like 2027-01-31T12:00:00Z (got {raw!r}).")
    return moment.astimezone(dt.UTC).replace(microsecond=0)


@dataclasses.dataclass(slots=True)
class RuntimeConfig:
    mode: str = DEVELOPMENT
    auto_approve: bool = False
    authorize_user: str = "demo"
    token_lifetime: int = 3600
    rotate_refresh_tokens: bool = False
    rate_limit_budget: int | None = None
    rate_limit_window: int = 30
    # None: Retry-After is the time until the window frees a slot; a number
    # forces that value, e.g. 7200 to test rescheduling instead of waiting.
    retry_after_seconds: int | None = None
    # --- access: the Development-mode user list and grant lifetime (ACCESS_KEYS below) ---
    # None: every user is served. A list: in Development mode, only those users; the rest get
    # Spotify's 403 "User not registered in the Developer Dashboard" on every /v1 call.
    allowlist: tuple[str, ...] | None = None
    # None: grants never end. A number: a refresh token answers invalid_grant this many seconds
    # after the user first authorised its grant (re-authorising a live grant keeps that time).
    refresh_token_lifetime_seconds: int | None = None
    # --- end of access ---

    @classmethod
    def from_options(cls, options: StartupOptions) -> RuntimeConfig:
        return cls(
            mode=options.mode,
            auto_approve=options.auto_approve,
            token_lifetime=options.token_lifetime,
            rate_limit_budget=options.rate_limit,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "auto_approve": self.auto_approve,
            "authorize_user": self.authorize_user,
            "token_lifetime": self.token_lifetime,
            "rotate_refresh_tokens": self.rotate_refresh_tokens,
            "rate_limit": {"budget": self.rate_limit_budget, "window_seconds": self.rate_limit_window},
            "retry_after_seconds": self.retry_after_seconds,
            **access_json(self),
        }

    def apply_patch(self, patch: Any, *, signable_users: set[str]) -> None:
        """Validate the whole patch first, then apply it: a bad field changes nothing."""
        if not isinstance(patch, dict):
            raise ControlError("Config patch must be a JSON object.")
        staged = dataclasses.replace(self)
        for key, value in patch.items():
            if key == "mode":
                if value not in MODES:
                    raise ControlError(f"mode must be one of {', '.join(MODES)}.")
                staged.mode = value
            elif key in {"auto_approve", "rotate_refresh_tokens"}:
                setattr(staged, key, _boolean(key, value))
            elif key == "authorize_user":
                if value not in signable_users:
                    raise ControlError(f"authorize_user must be one of {', '.join(sorted(signable_users))}.")
                staged.authorize_user = value
            elif key == "token_lifetime":
                staged.token_lifetime = _integer(key, value, minimum=1)
            elif key == "retry_after_seconds":
                staged.retry_after_seconds = None if value is None else _integer(key, value, minimum=0)
            elif key == "rate_limit":
                _apply_rate_limit(staged, value)
            elif key in ACCESS_KEYS:
                _apply_access(staged, key, value, signable_users=signable_users)
            else:
                raise ControlError(f"Unknown config field: {key}.")
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(staged, field.name))


def _apply_rate_limit(staged: RuntimeConfig, value: Any) -> None:
    if value is None:
        staged.rate_limit_budget = None
        return
    if not isinstance(value, dict):
        raise ControlError("rate_limit must be an object {budget, window_seconds} or null.")
    for key, item in value.items():
        if key == "budget":
            staged.rate_limit_budget = (
                None if item is None else _integer("rate_limit.budget", item, minimum=1)
            )
        elif key == "window_seconds":
            staged.rate_limit_window = _integer("rate_limit.window_seconds", item, minimum=1)
        else:
            raise ControlError(f"Unknown config field: rate_limit.{key}.")


# --- access: the Development-mode user list and grant lifetime ------------------------------
ACCESS_KEYS = frozenset({"allowlist", "refresh_token_lifetime_seconds"})


def access_json(config: RuntimeConfig) -> dict[str, Any]:
    return {
        "allowlist": None if config.allowlist is None else list(config.allowlist),
        "refresh_token_lifetime_seconds": config.refresh_token_lifetime_seconds,
    }


def _apply_access(staged: RuntimeConfig, key: str, value: Any, *, signable_users: set[str]) -> None:
    if key == "allowlist":
        if value is None:
            staged.allowlist = None
            return
        if not isinstance(value, list) or not all(isinstance(user, str) for user in value):
            raise ControlError("allowlist must be a list of user ids or null.")
        unknown = sorted(set(value) - signable_users)
        if unknown:
            raise ControlError(f"allowlist names unknown users: {', '.join(unknown)}.")
        staged.allowlist = tuple(dict.fromkeys(value))
    elif key == "refresh_token_lifetime_seconds":
        staged.refresh_token_lifetime_seconds = (
            None if value is None else _integer(key, value, minimum=0)
        )


def serves(config: RuntimeConfig, user: str) -> bool:
    """Does the app serve `user` on /v1? Extended-access apps have no user list."""
    return config.allowlist is None or config.mode != DEVELOPMENT or user in config.allowlist


# --- end of access ---------------------------------------------------------------------------


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ControlError(f"{name} must be true or false.")
    return value


def _integer(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ControlError(f"{name} must be an integer >= {minimum}.")
    return value
