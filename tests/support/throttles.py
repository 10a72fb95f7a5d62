"""Throttle counts (core.throttles) in the test's cache."""

from __future__ import annotations

from django.core.cache import cache


def clear_throttle_counts() -> None:
    """Forget every request counted so far (needs database access on the database cache)."""
    if hasattr(cache, "delete_pattern"):
        # django-redis: only the throttles' keys; the Django-Q broker shares the Redis database.
        cache.delete_pattern("throttle_*")
    else:
        cache.clear()  # the database cache: its own table, nothing else in it
