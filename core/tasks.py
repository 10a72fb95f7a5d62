"""Cluster-wide tasks that belong to no single app."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "cluster:heartbeat"


def cluster_heartbeat() -> str:
    """Record that a cluster worker ran a task just now; /health reports the time.

    Scheduled every minute, so "last seen" tells an operator whether any
    qcluster is alive without reading process tables.
    """
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
