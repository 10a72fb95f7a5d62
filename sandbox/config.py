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
    # Listeners go on listening while the sandbox runs (sandbox.listening); PATCH-able.
    live_listening: bool = False


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
    # --- the developer account's quota (Spotify, July 2026) ---------------------------------
    # None: off. Otherwise, after this many more /v1 requests of the app, every /v1 request
    # answers 429 {"error": {..., "reason": "QUOTA_EXCEEDED"}} with Retry-After counting down
    # from quota_retry_after seconds; PATCH quota null (or reset) lifts it.
    quota_after_requests: int | None = None
    quota_retry_after: int = 43_200
    # Response shapes Spotify really sends that clients must survive (see ShapeConfig below).
    shapes: ShapeConfig = dataclasses.field(default_factory=lambda: ShapeConfig())
    # --- artist genres (begin) ---
    # False: every artist is served with "genres": [], as Spotify will once it drops the
    # deprecated field (February 2026), so the genre filter's song-analysis fallback can be tried.
    artist_genres: bool = True
    # --- artist genres (end) ---
    # --- access: the Development-mode user list and grant lifetime (ACCESS_KEYS below) ---
    # None: every user is served. A list: in Development mode, only those users; the rest get
    # Spotify's 403 "User not registered in the Developer Dashboard" on every /v1 call.
    allowlist: tuple[str, ...] | None = None
    # None: grants never end. A number: a refresh token answers invalid_grant this many seconds
    # after the authorisation that issued it (each sign-in issues a new one with a fresh start).
    refresh_token_lifetime_seconds: int | None = None
    # --- end of access ---
    # Listeners go on listening while the sandbox runs: their plays reach its clock (sandbox.listening).
    live_listening: bool = False

    @classmethod
    def from_options(cls, options: StartupOptions) -> RuntimeConfig:
        return cls(
            mode=options.mode,
            auto_approve=options.auto_approve,
            token_lifetime=options.token_lifetime,
            rate_limit_budget=options.rate_limit,
            live_listening=options.live_listening,
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
            "quota": None
            if self.quota_after_requests is None
            else {"after_requests": self.quota_after_requests, "retry_after": self.quota_retry_after},
            "shapes": self.shapes.as_json(),
            "artist_genres": self.artist_genres,  # artist genres
            "live_listening": self.live_listening,
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
            elif key in {"auto_approve", "rotate_refresh_tokens", "live_listening"}:
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
            elif key == "quota":
                _apply_quota(staged, value)
            elif key == "shapes":
                staged.shapes = staged.shapes.patched(value)
            elif key == "artist_genres":  # artist genres
                staged.artist_genres = _boolean(key, value)
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


def _apply_quota(staged: RuntimeConfig, value: Any) -> None:
    if value is None:
        staged.quota_after_requests = None
        return
    if not isinstance(value, dict) or "after_requests" not in value:
        raise ControlError("quota must be an object {after_requests, retry_after?} or null.")
    for key, item in value.items():
        if key == "after_requests":
            staged.quota_after_requests = _integer("quota.after_requests", item, minimum=0)
        elif key == "retry_after":
            staged.quota_retry_after = _integer("quota.retry_after", item, minimum=1)
        else:
            raise ControlError(f"Unknown config field: quota.{key}.")
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


# --- response shapes ------------------------------------------------------------------------
# Kept apart from the settings above (modes, tokens, rate limits): these switch the *shape*
# of otherwise normal answers to forms Spotify really sends, so clients can be tested on
# them. PATCH /_sandbox/config {"shapes": {...}}; a reset turns them all off.
ROW_SHAPES = ("item", "track", "both", "item_null", "mixed")


@dataclasses.dataclass(frozen=True, slots=True)
class ShapeConfig:
    # Playlist rows: None = the mode's own (`item` in development, `item`+`track` in extended);
    # "item"/"track" = that key only; "both" = both keys; "item_null" = `item: null` beside a
    # present `track`; "mixed" = the four in turn, row by row.
    playlist_rows: str | None = None
    # Some tracks (top tracks, recently played) are relinked: without a `market` query their
    # id is a substitute (two songs share one), with it the substitute carries `linked_from`.
    relink_tracks: bool = False
    # /me/playlists lists playlists whose items this app may not read (development mode,
    # someone else's playlist) without an `items` (or `tracks`) reference.
    followed_without_items: bool = False
    # Spec-breaking probe: the spec's artist and image arrays hold objects, never null, but
    # clients must not fall over if Spotify sends one; some tracks then carry a null inside
    # `artists`, their album's `artists` and `images`.
    probe_null_entries: bool = False

    def as_json(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def patched(self, patch: Any) -> ShapeConfig:
        if not isinstance(patch, dict):
            raise ControlError("shapes must be an object.")
        changes: dict[str, Any] = {}
        for key, value in patch.items():
            if key == "playlist_rows":
                if value is not None and value not in ROW_SHAPES:
                    raise ControlError(f"shapes.playlist_rows must be null or one of {', '.join(ROW_SHAPES)}.")
                changes[key] = value
            elif key in {"relink_tracks", "followed_without_items", "probe_null_entries"}:
                changes[key] = _boolean(f"shapes.{key}", value)
            else:
                raise ControlError(f"Unknown config field: shapes.{key}.")
        return dataclasses.replace(self, **changes)
