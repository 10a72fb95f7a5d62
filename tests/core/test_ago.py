"""`|ago`: "just now" within the first minute, never "0 minutes ago"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.templatetags.moments import ago, ago_words

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=-5), "just now"),  # another process's clock a little ahead
        (timedelta(minutes=1), "1\xa0minute ago"),
        (timedelta(hours=2, minutes=5), "2\xa0hours, 5\xa0minutes ago"),
    ],
)
def test_a_moment_reads_as_how_long_ago_it_was(before, expected):
    assert ago_words(NOW - before, now=NOW) == expected


def test_no_moment_reads_as_nothing():
    assert ago(None) == ""
