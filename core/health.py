"""`GET /health`: is every part this process depends on reachable right now?"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
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


def _cluster_last_seen() -> str | None:
    from core.tasks import HEARTBEAT_KEY

    try:
        return cache.get(HEARTBEAT_KEY)
    except Exception:  # the cache check above already reports the failure
        return None


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


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
        "cluster_last_seen": _cluster_last_seen(),
    }
    return JsonResponse(body, status=200 if not failed else 503)
