"""Reading a Retry-After header, whoever sent it (Spotify's Web API, its Accounts service)."""

from __future__ import annotations

import math
from email.utils import parsedate_to_datetime

from django.utils import timezone

# The longest wait we take from a Retry-After. Spotify's quota resets within a day; a larger value
# (or "inf", "1e400") is a broken answer, and believed it would overflow a date or pause the
# deployment for ever.
MAX_RETRY_AFTER = 2 * 24 * 3600


def parse_retry_after(value: str | None, *, default: int = 1) -> int:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), 0 to
    MAX_RETRY_AFTER; `default` when it is missing or unreadable."""
    if not value:
        return default
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        if math.isnan(seconds):
            return default
        return int(min(max(seconds, 0.0), MAX_RETRY_AFTER))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if moment.tzinfo is None:
        return default
    return int(min(max((moment - timezone.now()).total_seconds() + 0.999, 0.0), MAX_RETRY_AFTER))
