"""A cache of the test's own, in memory, for tests that count queries: with the database cache
(the settings' fallback without REDIS_URL) every cache read and write would be a query too. It
stores JSON-safe values only, as the Redis cache does (tests.support.json_cache)."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def memory_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "tests.support.json_cache.JSONLocMemCache", "LOCATION": uuid.uuid4().hex}
    }
