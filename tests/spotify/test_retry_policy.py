"""The small pure parts of the Spotify retry policy (the behaviour is tested live)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from django.utils import timezone

from spotify.policy import SpotifyRequestStats, WaitBudget, backoff_for, parse_retry_after


def test_retry_after_reads_seconds_dates_and_falls_back_to_one_second():
    in_a_minute = format_datetime(timezone.now() + timedelta(seconds=60), usegmt=True)

    assert parse_retry_after("7") == 7
    assert parse_retry_after(" 3600 ") == 3600
    assert 58 <= parse_retry_after(in_a_minute) <= 61
    assert parse_retry_after(None) == 1
    assert parse_retry_after("soon") == 1
    assert parse_retry_after("-5") == 0


def test_the_wait_budget_counts_the_clock_not_just_sleeps():
    now = [100.0]
    slept = []
    stats = SpotifyRequestStats()
    budget = WaitBudget(seconds=10, stats=stats, sleep=slept.append, clock=lambda: now[0])

    assert budget.allows(10)
    budget.wait(4)
    now[0] += 7  # four seconds of sleep plus three of slow responses
    assert budget.allows(3) and not budget.allows(3.5)
    assert slept == [4] and stats.waited_seconds == 4


def test_backoff_grows_and_stays_short():
    assert backoff_for(1) == 0.5
    assert backoff_for(2) == 1.0
    assert backoff_for(9) == 1.0
