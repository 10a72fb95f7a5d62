"""The two task queues and how work reaches them.

Django-Q2 runs one queue per cluster process. *interactive* is the default cluster (a plain
`manage.py qcluster`): imports, routes, metadata warm-up, device work — what a listener waits
for. *bulk* (`Q_CLUSTER_NAME=<name>-bulk manage.py qcluster`): song analysis, written insights, the
listener rounds — work that can be large and can wait. Each has its own workers and time limit.

Always enqueue through `enqueue` (or core.runs, which uses it): Django-Q2's `async_task`
without a cluster goes to the queue of the process that calls it, so a bulk worker queueing an
import would put it on the bulk queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django_q.tasks import async_task

Queue = Literal["interactive", "bulk"]
INTERACTIVE: Queue = "interactive"
BULK: Queue = "bulk"
QUEUES: tuple[Queue, ...] = (INTERACTIVE, BULK)


def cluster_name(queue: Queue) -> str:
    """The Django-Q2 cluster (and broker queue) name of `queue`."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    base = settings.Q_CLUSTER["name"]
    return base if queue == INTERACTIVE or settings.Q_SINGLE_CLUSTER else f"{base}-bulk"


def queues_of_cluster(name: str) -> tuple[Queue, ...]:
    """Which of our queues a cluster serves (both with Q_SINGLE_CLUSTER; none: not one of ours)."""
    return tuple(queue for queue in QUEUES if cluster_name(queue) == name)


def cluster_settings(queue: Queue) -> dict[str, Any]:
    """The cluster's own settings: the site's, with the bulk cluster's overrides."""
    merged = {key: value for key, value in settings.Q_CLUSTER.items() if key != "ALT_CLUSTERS"}
    if queue == BULK:
        merged.update(settings.Q_CLUSTER.get("ALT_CLUSTERS", {}).get(cluster_name(BULK), {}))
    return merged


def timeout(queue: Queue) -> int:
    """Seconds a task of `queue` may run before its cluster kills it."""
    return int(cluster_settings(queue)["timeout"])


def longest_timeout() -> int:
    return max(timeout(queue) for queue in QUEUES)


def enqueue(
    func: str | Callable[..., Any],
    *args: Any,
    queue: Queue,
    task_name: str | None = None,
    time_limit: int | None = None,
) -> str:
    """Hand `func(*args)` to `queue`'s broker now; the task id. `time_limit` (seconds, at most
    the cluster's) replaces the cluster's for this one task."""
    options: dict[str, Any] = {"cluster": cluster_name(queue)}
    if task_name:
        options["task_name"] = task_name
    if time_limit is not None:
        options["timeout"] = min(time_limit, timeout(queue))
    return async_task(func, *args, q_options=options)
