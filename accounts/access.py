"""Spotify's Development-mode allowlist: how its refusal looks and what a listener reads about it.

Here, below both the sign-in (accounts' allauth provider, whose /me call may be the first to
meet it) and the client (spotify/, which meets it on any later call), so both recognise the
same answer and word it the same way; spotify.errors.describe() returns this sentence.
"""

from __future__ import annotations

from typing import Any

# A Development-mode app serves at most 5 users listed in Spotify's developer dashboard; anyone
# else gets this 403 on every /v1 call (the token endpoint still answers, so sign-in gets as far
# as the profile request).
NOT_ALLOWLISTED_STATUS = 403
NOT_ALLOWLISTED_SPOTIFY_MESSAGE = "User not registered in the Developer Dashboard"

NOT_ALLOWLISTED_MESSAGE = (
    "This Linernotes uses a Spotify app in Development mode, which serves at most 5 listed users; "
    "ask the operator to add your Spotify account in the app's dashboard."
)


def is_not_allowlisted(*, status: int, body: Any, text: str = "") -> bool:
    """True for Spotify's "not on the app's user list" answer: a 403 that says so, as the plain
    text Spotify really sends (`text`) or inside a JSON error object (`body`), should it switch.

    Other 403s (another listener's playlist in Development mode, a scope not granted, an
    endpoint the app may not use) are ordinary refusals and must stay so.
    """
    if status != NOT_ALLOWLISTED_STATUS:
        return False
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    said = message if isinstance(message, str) else text
    return said.strip().rstrip(".").lower() == NOT_ALLOWLISTED_SPOTIFY_MESSAGE.lower()
