"""Fixtures for the real parts: the database (SQLite or PostgreSQL), the cache table, the sandboxes,
the local LLM server."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core import queues
from tests.support.queue import FakeQueue
from tests.support.reports import CALL_FAILED
from tests.support.throttles import clear_throttle_counts

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


@pytest.fixture
def queue(monkeypatch) -> FakeQueue:
    """Whatever is enqueued (runs, rounds, refreshes) goes into this instead of the broker; the
    cluster tests use the real one."""
    fake = FakeQueue()
    monkeypatch.setattr(queues, "async_task", fake)
    return fake


@pytest.fixture
def throttle_rates(settings, db):
    """For the throttle tests: no request counted yet, and the rates they set.

    `throttle_rates(imports="2/hour")` replaces those scopes' rates for the test; the others keep
    the test settings' unreachable ones. The counts are cleared first because a database cache
    keeps what a transactional test counted, and user ids start again after a rollback.
    """
    clear_throttle_counts()

    def limit(**rates: str | None) -> None:
        settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, **rates}

    yield limit
    clear_throttle_counts()


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only skip, with a reason, when the suite runs on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks / real concurrency); CI runs it there")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember a failed test body, so a fixture can add what only it knows (a cluster's log)."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report
