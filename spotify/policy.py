"""The numbers and small helpers of our Spotify retry policy, shared by API calls and refreshes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from core import retry_after

# Waiting out a 429 at most this many times per call, even if the budget allows more:
# three 429s in a row mean the app is over its window, and the caller should back off.
MAX_RATE_LIMIT_WAITS = 3
# 5xx, timeouts, resets, garbled bodies: a couple of quick retries cover blips, not outages.
MAX_TRANSIENT_RETRIES = 2
BACKOFF_SECONDS = (0.5, 1.0)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# Methods safe to resend after an unclear failure. A POST (add tracks, create playlist)
# that timed out may have been applied; resending could duplicate, so it is not retried
# (a 429 or 401 is: Spotify rejected those before doing anything).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Spotify sometimes sends a 429 without Retry-After; one second is its usual window step.
DEFAULT_RETRY_AFTER = 1
# A 429 answered "Retry-After: 0" (or none, or with an empty body) is still a 429: waiting
# nothing re-sent a page three times in 40 ms. Each wait is at least this, doubling per try.
MIN_RATE_LIMIT_WAITS = (1.0, 2.0, 4.0)
# The reason Spotify puts in a 429's error object when the developer account's quota is spent.
QUOTA_REASON = "QUOTA_EXCEEDED"


def parse_retry_after(value: str | None) -> int:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped (core)."""
    return retry_after.parse_retry_after(value, default=DEFAULT_RETRY_AFTER)


def rate_limit_wait(*, retry_after: int, wait_number: int) -> float:
    """How long to wait before re-sending after the `wait_number`-th 429 of one call (1-based):
    what Spotify asked, but never less than the growing minimum."""
    floor = MIN_RATE_LIMIT_WAITS[min(wait_number, len(MIN_RATE_LIMIT_WAITS)) - 1]
    return max(float(retry_after), floor)


def quota_reason(body: object) -> str | None:
    """Spotify's machine-readable reason from a 429's JSON body ({"error": {"reason": ...}}), if any."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        reason = body["error"].get("reason")
        return reason if isinstance(reason, str) else None
    return None


def backoff_for(failure_number: int) -> float:
    return BACKOFF_SECONDS[min(failure_number, len(BACKOFF_SECONDS)) - 1]


@dataclass
class SpotifyRequestStats:
    """What one client sent to Spotify; import and route runs record these.

    Requests are counted through `count_request`, under a lock: the page prefetcher's
    worker threads send requests too. The other counters move on the caller's thread only.
    """

    requests: int = 0  # every HTTP request sent, refreshes and retries included
    rate_limited: int = 0  # 429 answers
    retries: int = 0  # requests re-sent after a 429, a 401 or a transient failure
    refreshes: int = 0  # refresh_token grants sent
    waited_seconds: float = 0.0
    by_endpoint: Counter = field(default_factory=Counter)  # "GET /v1/me/playlists" -> n
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count_request(self, *, method: str, path: str) -> None:
        """One request about to leave, on any thread. `path` without a trailing slash:
        spotipy asks for "me/", Spotify (and the sandbox) route it as "/me"."""
        with self._lock:
            self.requests += 1
            self.by_endpoint[f"{method} {path.rstrip('/')}"] += 1

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "retries": self.retries,
            "refreshes": self.refreshes,
            "waited_seconds": round(self.waited_seconds, 3),
            "by_endpoint": dict(self.by_endpoint),
        }


class WaitBudget:
    """One call's allowance for blocking: SPOTIFY_MAX_RETRY_AFTER seconds from its start.

    Measured on the clock, not summed sleeps, so slow responses count too and a call
    never blocks much past the setting.
    """

    def __init__(
        self,
        *,
        seconds: float,
        stats: SpotifyRequestStats,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._stats = stats
        self._deadline = clock() + seconds

    def allows(self, delay: float) -> bool:
        return self._clock() + delay <= self._deadline

    def wait(self, delay: float) -> None:
        if delay > 0:
            self._sleep(delay)
            self._stats.waited_seconds += delay
