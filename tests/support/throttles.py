"""Throttle counts (core.throttles) in the test's cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.contrib.messages import get_messages
from django.core.cache import cache
from rest_framework.test import APIClient

# The throttle tests' clock: a fixed Monday morning, moved by time_machine.
ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def clear_throttle_counts() -> None:
    """Forget every request counted so far (needs database access on the database cache)."""
    if hasattr(cache, "delete_pattern"):
        # django-redis: only the throttles' keys; the Django-Q broker shares the Redis database.
        cache.delete_pattern("throttle_*")
    else:
        cache.clear()  # the database cache: its own table, nothing else in it


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def ask_twice(clock, ask: Callable[[], object]) -> None:
    """Two asks ten minutes apart, then the clock another ten minutes on (inside the hour)."""
    ask()
    clock.move_to(ANCHOR + timedelta(minutes=10), tick=False)
    ask()
    clock.move_to(ANCHOR + timedelta(minutes=20), tick=False)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def last_message(response) -> str:
    return messages_of(response)[-1]
