"""Fixtures for the real parts: the database (SQLite or PostgreSQL), the cache table, the sandboxes,
the local LLM server."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytest_plugins = [
    "tests.fixtures.sandbox",
    "tests.fixtures.cluster",
    "tests.fixtures.llm_sandbox",
    "tests.fixtures.local_llm",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The database cache backend needs its table; migrate does not create it.
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache, on the database cache and on Redis alike."""
    from django.core.cache import cache

    yield
    # After the test, not before: a database cache is only reachable once the test has DB access.
    if hasattr(cache, "delete_pattern"):
        # django-redis: only our prefixed keys; the Django-Q broker shares the Redis database.
        cache.delete_pattern("*")


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only skip, with a reason, when the suite runs on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks / real concurrency); CI runs it there")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)
