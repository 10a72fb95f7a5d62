"""Caches for the suite that store only what the Redis cache can: each value goes through
core.cache_serializer (JSON) on the way in, as on Redis. A value JSON cannot hold (a datetime,
bytes, an object) fails the test that caches it, and a tuple comes back a list, as in production;
so the suite on SQLite (the database cache) proves what the suite on Redis does."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache

from core.cache_serializer import StrictJSONSerializer

_serializer = StrictJSONSerializer(options={})


def as_stored(value: Any) -> Any:
    """`value` as the Redis cache would give it back; TypeError when it cannot store it."""
    return _serializer.loads(_serializer.dumps(value))


class _JSONValues:
    def set(self, key, value, *args, **kwargs):
        return super().set(key, as_stored(value), *args, **kwargs)

    def add(self, key, value, *args, **kwargs):
        return super().add(key, as_stored(value), *args, **kwargs)


class JSONDatabaseCache(_JSONValues, DatabaseCache):
    """The test settings' cache without REDIS_URL."""


class JSONLocMemCache(_JSONValues, LocMemCache):
    """The `memory_cache` fixture's cache."""
