"""What can go wrong talking to Spotify for a user.

Pages, tasks and the API catch these (never spotipy's or requests' exceptions) and show
the sentence `describe(exc)` gives; background tasks reschedule on `SpotifyRateLimited`.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.access import NOT_ALLOWLISTED_MESSAGE


class SpotifyError(Exception):
    """Base class: Spotify could not do what we asked for this user."""


class ReconnectNeeded(SpotifyError):
    """The stored grant is gone (revoked, expired or never given): the user must sign in again."""

    def __init__(self, reason: str = "Spotify access needs to be renewed.") -> None:
        super().__init__(reason)
        self.reason = reason


class NotAllowlisted(SpotifyError):
    """Spotify serves nothing to this listener: the app is in Development mode and their account
    is not on its user list (a 403 "User not registered in the Developer Dashboard" on any /v1
    call). Not a SpotifyRefused on purpose: callers read a 403 refusal as "not your playlist" or
    "scope not granted" and carry on with less; this one must stop the work instead, or an
    empty answer would be mirrored as an empty library. Only the operator can mend it."""

    def __init__(self) -> None:
        super().__init__("Spotify does not serve this listener: not on the app's user list.")


class SpotifyRateLimited(SpotifyError):
    """Spotify asked us to wait longer than this call may; try again at `resume_at`.

    `app_wide`: the whole deployment is paused until then (a quota 429 or a long Retry-After,
    accounts.SpotifyPause), not only this request's caller.
    """

    def __init__(self, *, retry_after: int, resume_at: datetime, app_wide: bool = False) -> None:
        super().__init__(f"Spotify rate limit: retry after {retry_after} s (at {resume_at.isoformat()}).")
        self.retry_after = retry_after
        self.resume_at = resume_at
        self.app_wide = app_wide


class SpotifyUnavailable(SpotifyError):
    """Spotify kept failing (5xx, timeouts, resets, garbled bodies) after a few short retries."""


class SpotifyMisconfigured(SpotifyError):
    """Spotify rejected the app itself (invalid_client): SPOTIFY_CLIENT_ID/SECRET are wrong."""


class SpotifyRefused(SpotifyError):
    """Spotify answered a 4xx on purpose (404 gone, 403 not allowed, 400 a bad request...).

    What spotipy's SpotifyException was to callers before: spotify.api raises this instead,
    so nothing outside spotify/ needs spotipy to tell a refusal from a failure.
    """

    def __init__(self, *, status: int, message: str = "", reason: str | None = None) -> None:
        super().__init__(f"Spotify answered HTTP {status} ({message or 'no message'}).")
        self.status = status
        self.message = message  # Spotify's own words, from its error body
        self.reason = reason  # Spotify's machine-readable reason, when it sends one

    @classmethod
    def from_spotipy(cls, exc: Exception) -> SpotifyRefused:
        """From spotipy's SpotifyException, whose message is "<url>:\\n <Spotify's message>"."""
        message = str(getattr(exc, "msg", "")).rsplit(":\n", 1)[-1].strip()
        status = int(getattr(exc, "http_status", 0) or 0)
        return cls(status=status, message=message, reason=getattr(exc, "reason", None))


def describe(exc: SpotifyError) -> str:
    """The one sentence a listener reads about a Spotify failure, ending with a full stop.

    Every page, run and API answer words Spotify's failures through here, so one failure
    reads the same wherever it shows; callers put what failed before it and what to do
    next after it ("Could not read “Gym”: <this> Retry to continue.").
    """
    if isinstance(exc, ReconnectNeeded):
        return (
            "Spotify access was revoked or expired: press Reconnect on the dashboard "
            "(sign in with Spotify again)."
        )
    if isinstance(exc, NotAllowlisted):
        return NOT_ALLOWLISTED_MESSAGE
    if isinstance(exc, SpotifyRateLimited):
        # In the server's time zone, named, so a listener can tell when "then" is.
        until = timezone.localtime(exc.resume_at)
        when = f"{until:%H:%M %Z}" if until.date() == timezone.localdate() else f"{until:%H:%M %Z on %-d %B}"
        if exc.app_wide:
            return f"Spotify asked this Linernotes server to pause until {when} (its quota is shared by every listener)."
        return f"Spotify asked us to slow down until {when}."
    if isinstance(exc, SpotifyMisconfigured):
        return (
            "Spotify rejected this Linernotes server's app credentials: the administrator must check "
            "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET."
        )
    # SpotifyUnavailable and SpotifyRefused carry their sentence (what Spotify answered).
    return f"{str(exc).rstrip('.') or 'Spotify could not do it'}."
