"""Retry-After as Spotify (or a broken answer) may send it: never an error, never past the cap."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from core.retry_after import MAX_RETRY_AFTER, parse_retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("30", 30), ("2.7", 2), ("-5", 0), ("0", 0),
        ("inf", MAX_RETRY_AFTER), ("1e400", MAX_RETRY_AFTER), ("99999999999999999999", MAX_RETRY_AFTER),
        ("nan", 7), ("-inf", 0), ("soon", 7), ("", 7), (None, 7),
    ],
)  # fmt: skip
def test_delta_seconds_and_broken_values_give_a_wait_within_bounds(header, seconds):
    assert parse_retry_after(header, default=7) == seconds


def test_an_http_date_gives_the_seconds_until_then_capped():
    soon = format_datetime(timezone.now() + timedelta(seconds=120), usegmt=True)
    far = format_datetime(timezone.now() + timedelta(days=3650), usegmt=True)

    assert 115 <= parse_retry_after(soon) <= 121
    assert parse_retry_after(far) == MAX_RETRY_AFTER
    assert parse_retry_after("Mon, 99 Foo 99999 99:99:99 GMT", default=3) == 3
