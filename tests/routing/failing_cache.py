"""A cache backend whose every call fails, as a Redis or database cache does when it is down.

Configured through the `settings` fixture (CACHES); it is a real backend Django loads, so
the code under test meets the failure exactly where a broken cache would raise.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.base import BaseCache


class CacheDown(ConnectionError):
    pass


class FailingCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise CacheDown("cache backend unavailable")

    add = get = set = touch = delete = clear = has_key = _fail
    get_many = set_many = delete_many = incr = decr = _fail


# For the `settings` fixture: CACHES with every call failing.
FAILING_CACHE_SETTINGS = {"default": {"BACKEND": "tests.routing.failing_cache.FailingCache"}}
