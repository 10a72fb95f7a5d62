"""Fairness between listeners: how many requests of one kind a listener may make per period.

Each scope (a key of settings.THROTTLE_RATES: "imports", "routes", ...) is a `ListenerThrottle`
subclass in the app it protects, used twice: as a DRF throttle class on the API view, and by the
page view that does the same thing through `check(request)`. Both count in one cache entry per
listener and scope, in Django's default cache (Redis when REDIS_URL is set, else the database
table), so neither path is a way round the other and the limit holds across web processes.

Over its limit a request is refused with `Throttled`, a DomainError: the one DRF handler
(core.errors) answers 429 with Retry-After and a sentence naming the count and the wait, and the
pages show the same sentence as a message. Refused requests are not counted, so a client that
keeps asking is back as soon as its oldest counted request leaves the window.

The count is read and written without a lock (DRF's sliding window): two requests racing at the
limit may both pass. That costs one extra run at most; the database keeps what must never
double (one active import per listener, one route per base).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from core.errors import DomainError, wait_in_words

_PERIODS = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


class Throttled(DomainError):
    """This listener asked for this too often; the message says how often and how long to wait."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ListenerThrottle(SimpleRateThrottle):
    """One scope's limit per listener. Subclasses set `scope` and `asked`: what the listener did,
    once and `{count}` times, completing "You have … in the last hour"."""

    scope: str
    asked: tuple[str, str] = ("made a request", "made {count} requests")
    # Reads are free unless the scope's reads are its cost (an export's download is a GET).
    counts_reads: bool = False

    def get_rate(self) -> str | None:
        # Read per request rather than DRF's THROTTLE_RATES, which is frozen when the module is
        # imported: a rate set in settings (or by a test) applies at once. None: no limit.
        try:
            return settings.THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"THROTTLE_RATES has no rate for the {self.scope!r} scope.") from None

    def get_cache_key(self, request: Any, view: Any) -> str:
        # The listener, not the address: a listener's devices share one budget, and listeners
        # behind one address (a household, a proxy) have one each. Anonymous callers never get
        # here (401 or the sign-in page first); the address is DRF's fallback.
        user = getattr(request, "user", None)
        ident = user.pk if user is not None and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Any, view: Any) -> bool:
        """True, counting the request. Over the limit it raises Throttled rather than answering
        False: DRF would then say "Request was throttled" for every scope alike, and a page has
        no DRF to ask."""
        if request.method in SAFE_METHODS and not (self.counts_reads and request.method == "GET"):
            return True  # DRF throttles before it answers 405 or OPTIONS: only actions count
        if super().allow_request(request, view):
            return True
        raise self.refusal()

    def refusal(self) -> Throttled:
        # Allowed again once the oldest request that still counts leaves the window (DRF's wait()
        # spreads the wait over the remaining requests instead, and gives up if the rate was
        # lowered below the history it finds).
        oldest_counted = self.history[self.num_requests - 1]
        wait = max(1.0, self.duration - (self.now - oldest_counted))
        one, many = self.asked
        did = (one if self.num_requests == 1 else many).format(count=self.num_requests)
        period = _PERIODS.get(self.duration, f"{self.duration} seconds")
        return Throttled(
            f"You have {did} in the last {period}; try again in {wait_in_words(wait)}.",
            retry_after=math.ceil(wait),
        )

    @classmethod
    def check(cls, request: HttpRequest) -> None:
        """For a page that does what the scope's API endpoint does: count the request against the
        same limit and counter, or raise Throttled."""
        cls().allow_request(request, None)
