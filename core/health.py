"""`GET /health`: is every part this process depends on reachable right now?"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    # A round trip, not a ping: django-redis may be set to swallow errors, which
    # would make a plain get() look healthy while Redis is down.
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


def _check_broker() -> None:
    from django_q.brokers import get_broker

    broker = get_broker()
    # The ORM broker's ping() is always True; queue_size() really queries it.
    broker.ping()
    broker.queue_size()


def clusters_last_seen() -> dict[str, str | None]:
    """When each cluster (interactive, bulk) last ran its heartbeat, as ISO text or None."""
    from core.queues import QUEUES
    from core.tasks import heartbeat_key

    try:
        return {queue: cache.get(heartbeat_key(queue)) for queue in QUEUES}
    except Exception:  # the cache check above already reports the failure
        return {queue: None for queue in QUEUES}


# A heartbeat runs every minute: older than this, its cluster is not running.
CLUSTER_SILENT_AFTER = timedelta(minutes=5)


def cluster_missing_warning(*, now: datetime | None = None) -> str:
    """A sentence when one cluster runs and the other does not (a deployment that starts only
    the plain `qcluster` never analyses a song); "" when both run, or neither was seen yet."""
    from core.queues import cluster_name

    now = now or timezone.now()
    seen = {queue: datetime.fromisoformat(value) if value else None for queue, value in clusters_last_seen().items()}
    alive = {queue for queue, at in seen.items() if at is not None and now - at <= CLUSTER_SILENT_AFTER}
    if not alive or len(alive) == len(seen):
        return ""
    (missing,) = set(seen) - alive
    return (
        f"The {missing} cluster has not run for over {CLUSTER_SILENT_AFTER.seconds // 60} minutes "
        f"(start `Q_CLUSTER_NAME={cluster_name(missing)} manage.py qcluster`): its work waits."
    )


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
# Callables returning a sentence or "" that apps add in their AppConfig.ready (core imports
# nothing of theirs): e.g. accounts says Spotify has paused this deployment.
WARNINGS: list[Callable[[], str]] = [cluster_missing_warning]


def _warnings() -> list[str]:
    found = []
    for check in WARNINGS:
        try:
            warning = check()
        except Exception:  # the database check above already reports an outage
            logger.warning("health warning %r could not be read", check, exc_info=True)
            continue
        if warning:
            found.append(warning)
    return found


def add_warning(check: Callable[[], str]) -> None:
    """Register `check() -> str` (a warning sentence, or "" when all is well) for /health."""
    if check not in WARNINGS:
        WARNINGS.append(check)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency is a failed check
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
        else:
            results[name] = "ok"
    failed = sorted(name for name, result in results.items() if result != "ok")
    body = {
        "status": "ok" if not failed else "error",
        "checks": results,
        "failed": failed,
        # Informational only: a web process can be healthy while no cluster runs.
        "clusters": {queue: {"last_seen": seen} for queue, seen in clusters_last_seen().items()},
        # Warnings never fail the check: the server works, it is only waiting for something.
        "warnings": _warnings(),
    }
    return JsonResponse(body, status=200 if not failed else 503)
