"""The three error families the sandbox answers with, each in its own wire format."""

from __future__ import annotations


class ApiError(Exception):
    """A Web API error: `{"error": {"status": N, "message": "..."}}` like api.spotify.com."""

    def __init__(
        self, status: int, message: str, *, headers: dict[str, str] | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.reason = reason  # Spotify's machine-readable reason, e.g. QUOTA_EXCEEDED on a 429

    def body(self) -> dict:
        error: dict = {"status": self.status, "message": self.message}
        if self.reason is not None:
            error["reason"] = self.reason
        return {"error": error}


class OAuthError(Exception):
    """An Accounts service error: RFC 6749 `{"error": ..., "error_description": ...}`."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


class ControlError(Exception):
    """A rejected control instruction: `{"error": "..."}` with a 4xx status."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def optional_int(data: dict, key: str, *, minimum: int) -> int | None:
    """An optional integer field of a control instruction, at least `minimum`."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ControlError(f"{key} must be an integer >= {minimum}.")
    return value


def forbidden() -> ApiError:
    # What Spotify answers for endpoints a Development Mode app may not call.
    return ApiError(403, "Forbidden")


def not_found() -> ApiError:
    return ApiError(404, "Resource not found")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)
