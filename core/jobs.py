"""Job records: written from Django-Q2's signals for every task, whatever app it belongs to.

Which task is which, and whom it acts for, comes from a registry: each app labels its own task
functions where it defines them, with `@job(label=..., user_of=...)`, and imports its tasks
module in its AppConfig.ready() so every process (web, worker, scheduler) knows the labels
before it enqueues anything. Unregistered functions are recorded too, under their dotted name.
Core imports no app of ours: a task's user is found by model label (`user_of_row`).

What Django-Q2 (1.11) sends, read in its source:
- `pre_enqueue(task)` in `async_task`, in the enqueuing process, before the broker push. The
  scheduler enqueues through `async_task` too, inside its own transaction, with
  `q_options={"cluster": ..., "group": <schedule name or id>}`, which end up in the task.
- `pre_execute(func, task)` in the worker, just before the function runs.
- `post_execute(task)` in the monitor, after it saved the result (`success`, `result`, `stopped`).
- With `sync=True` the same three are sent in-process; but a function that raises is re-raised
  to the caller after `post_execute_in_worker` (inside the `except`), and `post_execute` never
  comes: that signal records the failure then.
Signal receivers run inside the sender's code: a receiver that raises would break the enqueue,
the scheduler's transaction or the worker. So every write here is in a savepoint, and every
receiver logs and goes on.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Failure, Schedule
from django_q.utils import get_func_repr

from core import queues
from core.models import JobRecord, JobStatus

logger = logging.getLogger(__name__)

UserOf = Callable[[tuple, dict], "int | None"]
Task = TypeVar("Task", bound=Callable[..., Any])

RESULT_LIMIT = 1000
LOST_JOB_SLACK = 60  # seconds past Q_TIMEOUT before a running record counts as lost
ERROR_LIMIT = 8000  # Django-Q2's error text is the message, then the traceback


@dataclass(frozen=True)
class JobType:
    func: str
    label: str
    user_of: UserOf | None = None


_REGISTRY: dict[str, JobType] = {}


def register_job(*, func: str, label: str, user_of: UserOf | None = None) -> None:
    """Name a task function for people, and say how to find the user a call acts for.

    `func` is the dotted path the task is enqueued with; registering it again replaces it.
    """
    _REGISTRY[func] = JobType(func=func, label=label, user_of=user_of)


def dotted_path(func: Callable[..., Any]) -> str:
    """The path Django-Q2 records for a function (django_q.utils.get_func_repr does the same)."""
    return f"{func.__module__}.{func.__qualname__}"


def job(*, label: str, user_of: UserOf | None = None) -> Callable[[Task], Task]:
    """Register the decorated task function under its own dotted path; returns it unchanged.

    Taking the path from the function, not from a string, keeps a label from naming a path
    that a move or a rename left behind.
    """

    def register(func: Task) -> Task:
        register_job(func=dotted_path(func), label=label, user_of=user_of)
        return func

    return register


def job_type(func: str) -> JobType:
    return _REGISTRY.get(func) or JobType(func=func, label=func[:100])


def _argument(args: tuple, kwargs: dict, *, index: int, name: str) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else None


def user_argument(*, index: int = 0, name: str = "user_id") -> UserOf:
    """For tasks called with the user's id: `poll_history(user_id)`."""

    def user_of(args: tuple, kwargs: dict) -> int | None:
        return _argument(args, kwargs, index=index, name=name)

    return user_of


def user_of_row(*, model: str, index: int = 0, name: str = "pk", field: str = "user_id") -> UserOf:
    """For tasks called with a row's id: the row's user. The model is looked up only when a
    task is recorded, so registering never imports another app's models."""

    def user_of(args: tuple, kwargs: dict) -> int | None:
        row_id = _argument(args, kwargs, index=index, name=name)
        if row_id is None:
            return None
        rows = apps.get_model(model).objects.filter(pk=row_id)
        return rows.values_list(field, flat=True).first()

    return user_of


# --- the recorder ----------------------------------------------------------------------------------


def _func_name(task: dict) -> str:
    return (get_func_repr(task.get("func")) or "")[:256]


def _shorten(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _user_id(kind: JobType, task: dict) -> int | None:
    if kind.user_of is None:
        return None
    try:
        # A savepoint: a failed query must not abort the caller's transaction (the scheduler's).
        with transaction.atomic():
            user_id = kind.user_of(tuple(task.get("args") or ()), dict(task.get("kwargs") or {}))
            # The foreign key is checked only at commit: an id of nobody would fail the caller's.
            if user_id is None or not get_user_model().objects.filter(pk=user_id).exists():
                return None
            return user_id
    except Exception:
        logger.warning("No user found for task %s (%s)", task.get("id"), kind.func, exc_info=True)
        return None


def _from_schedule(task: dict, func: str) -> bool:
    """Enqueued by Django-Q2's scheduler: it puts `cluster` in the task (as core.queues does)
    and, alone, the schedule's name (or id) as the group."""
    group = task.get("group")
    if "cluster" not in task or group is None:
        return False
    which = Q(name=str(group))
    if isinstance(group, int) or str(group).isdigit():
        which |= Q(pk=int(group))
    return Schedule.objects.filter(which, func=func).exists()


def _identity(task: dict) -> dict[str, Any]:
    func = _func_name(task)
    kind = job_type(func)
    return {
        "func": func,
        "label": kind.label[:100],
        "user_id": _user_id(kind, task),
        "scheduled": _from_schedule(task, func),
        "enqueued_at": task.get("started"),  # Django-Q2 stamps `started` when it enqueues
    }


def _create(task_id: str, fields: dict[str, Any]) -> bool:
    """Create the record; False if another process created it first."""
    try:
        with transaction.atomic():
            JobRecord.objects.create(task_id=task_id, **fields)
    except IntegrityError:
        return False
    return True


def _update_or_create(task: dict, changes: dict[str, Any]) -> None:
    """Apply `changes` to the task's record; create it (with who and what) if it is missing,
    as when the enqueue happened where the recorder could not write."""
    task_id = str(task["id"])[:64]
    with transaction.atomic():
        if JobRecord.objects.filter(task_id=task_id).update(**changes):
            return
    if not _create(task_id, {**_identity(task), **changes}):
        JobRecord.objects.filter(task_id=task_id).update(**changes)


def record_enqueued(*, task: dict) -> None:
    task_id = str(task["id"])[:64]
    identity = _identity(task)
    if not _create(task_id, {**identity, "status": JobStatus.QUEUED}):
        # The worker started it first (a Redis broker, an enqueue before our row committed):
        # keep its status, add who and what.
        JobRecord.objects.filter(task_id=task_id).update(**identity)


def record_started(*, task: dict) -> None:
    # A second delivery of the same task (a lost acknowledgement) starts the record over.
    changes = {"status": JobStatus.RUNNING, "started_at": timezone.now(), "finished_at": None}
    _update_or_create(task, {**changes, "result": "", "error": ""})


def record_finished(*, task: dict, success: bool, result: Any, stopped: datetime | None = None) -> None:
    changes: dict[str, Any] = {"finished_at": stopped or timezone.now()}
    if success:
        changes.update(status=JobStatus.SUCCEEDED, result=_shorten(result, RESULT_LIMIT), error="")
    else:
        changes.update(status=JobStatus.FAILED, result="", error=_shorten(str(result), ERROR_LIMIT))
    _update_or_create(task, changes)


# --- Django-Q2's signals (connected in CoreConfig.ready) ---------------------------------------------


def on_pre_enqueue(sender: Any, task: dict, **kwargs: Any) -> None:
    try:
        record_enqueued(task=task)
    except Exception:
        logger.exception("Could not record the enqueue of task %s", task.get("id"))


def on_pre_execute(sender: Any, func: Any, task: dict, **kwargs: Any) -> None:
    try:
        record_started(task=task)
    except Exception:
        logger.exception("Could not record the start of task %s", task.get("id"))


def on_post_execute(sender: Any, task: dict, **kwargs: Any) -> None:
    try:
        record_finished(
            task=task,
            success=bool(task.get("success")),
            result=task.get("result"),
            stopped=task.get("stopped"),
        )
    except Exception:
        logger.exception("Could not record the end of task %s", task.get("id"))


def on_post_execute_in_worker(sender: Any, func: Any, task: dict, **kwargs: Any) -> None:
    # Only a sync=True run that raised: Django-Q2 re-raises it to the caller right after this
    # signal, so post_execute never comes. We are inside its `except`, so the error is at hand.
    if not task.get("sync") or "success" in task:
        return
    try:
        error = sys.exc_info()[1]
        record_finished(task=task, success=False, result=f"{error} : {traceback.format_exc()}")
    except Exception:
        logger.exception("Could not record the failure of task %s", task.get("id"))


# --- retention ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pruned:
    job_records: int
    failed_tasks: int


def prune_job_records(*, days: int, now: datetime | None = None) -> Pruned:
    """Delete job records, and Django-Q2's failed tasks, older than `days`.

    A record counts from when it finished; one that never finished (its task was lost with a
    worker or a broker) from when it started or was enqueued. Django-Q2 caps its successful
    tasks itself (Q_CLUSTER save_limit) but keeps failed ones for ever, hence those too.
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    unfinished = Q(finished_at__isnull=True)
    old = (
        Q(finished_at__lt=cutoff)
        | (unfinished & Q(started_at__lt=cutoff))
        | (unfinished & Q(started_at__isnull=True, enqueued_at__lt=cutoff))
    )
    records, _ = JobRecord.objects.filter(old).delete()
    failures, _ = Failure.objects.filter(stopped__lt=cutoff).delete()
    return Pruned(job_records=records, failed_tasks=failures)


LOST_JOB_ERROR = (
    "No result within the task time limit (Q_TIMEOUT or Q_BULK_TIMEOUT): the task timed out or its worker stopped. "
    "Django-Q2 records neither."
)


def fail_lost_jobs(*, now: datetime | None = None) -> int:
    """Fail the records still "running" although their task can no longer be running.

    The cluster's guard kills a task at Q_TIMEOUT and sends no signal for it, nor for a worker
    that died: without this, such a job would look busy until pruned. One UPDATE, re-checked
    per row; a task the broker delivers again later sets its record running again.
    """
    # The record does not say which cluster ran it: the longer time limit of the two.
    cutoff = (now or timezone.now()) - timedelta(seconds=queues.longest_timeout() + LOST_JOB_SLACK)
    return JobRecord.objects.filter(status=JobStatus.RUNNING, started_at__lt=cutoff).update(
        status=JobStatus.FAILED, error=LOST_JOB_ERROR, finished_at=now or timezone.now()
    )
