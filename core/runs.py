"""One lifecycle for every queued run: imports, route runs, analysis batches, written insights.

A run is a row that a Django-Q task works on. What every kind shares, written once here:

- **status**: queued → running → succeeded | failed; queued or waiting → cancelled; a running
  run can go back to queued (postponed to `resume_at`, or handed back after its worker died)
  or to waiting (it stopped for the listener's say, e.g. a route that would remove much).
- **enqueue after commit** (`enqueue_on_commit`): the task is handed to the broker only once
  the row that it will claim is committed; a broker that refuses fails the still-queued run
  with the model's reason, so it never stays queued for ever.
- **claim** (`claim`): one conditional UPDATE (queued and due → running, this worker): a
  second delivery of the same task finds nothing to claim. Every later write goes through
  the `Claim`, conditional on the row still being running and this worker's; when the
  recovery or staff took it meanwhile, the write touches nothing and ClaimLost stops the run.
- **postpone** (`Claim.postpone`): back to queued with `resume_at` and a Django-Q ONCE schedule
  for then (a long Retry-After, every LLM provider down); never a sleeping worker.
- **lost** — one rule, in core.recovery: queued and due but unclaimed LOST_AFTER after its task
  was handed over, or running with no heartbeat for longer than a task may run, or running for
  a worker process that is gone. A dead worker's run is queued again when its model says it
  resumes safely (`resume_orphans`), else failed with a reason to retry.

Every hand-back and failure is a conditional UPDATE (still running, still claimed by the same
worker), never read-decide-save, so a run that moves on meanwhile is left alone.

core imports nothing of the other apps: the run models subclass QueuedRun and say, as class
attributes, which task runs them and how they are worded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.models import Schedule

from core.queues import INTERACTIVE, Queue, enqueue
from core.schedules import schedule_once
from core.signals import run_ended_without_worker
from core.workers import worker_name

logger = logging.getLogger(__name__)

ERROR_LIMIT = 2000

# A queued run handed to the broker this long ago and still unclaimed lost its task (a broker
# flushed, a cluster killed before it acknowledged). Sending it again is safe: the claim is
# atomic, so a second delivery finds nothing to do.
LOST_AFTER = timedelta(minutes=15)

# PostgreSQL rolled a transaction back to settle a conflict with another one: a deadlock
# (40P01) or a serialization failure (40001). The same step succeeds when done again.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
# A run goes on after this many lost conflicts, each within CONFLICT_WINDOW of the last; one more
# fails it as before: something keeps colliding with it, and a person should see the reason
# rather than a loop.
CONFLICT_RETRIES = 5
CONFLICT_WINDOW = timedelta(hours=1)


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    # Stopped before writing anything, for the listener's say (a route that would remove much):
    # confirming queues it again, discarding cancels it. It still holds what it runs on.
    WAITING = "waiting", "Needs your confirmation"
    SUCCEEDED = "succeeded", "Done"  # the label reads in sentences: "Import #3 is done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# Not finished: a worker will run it, is running it, or it waits for the listener.
ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.WAITING)
FINISHED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)
CANCELLABLE_STATUSES = (RunStatus.QUEUED, RunStatus.WAITING)



class QueuedRun(models.Model):
    """The lifecycle's fields, shared by every run model (abstract: each keeps its own table)."""

    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    # The first claim's time: a resumed or postponed run keeps it.
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written at the claim and after every step: how the recovery tells a slow run from a dead one.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Postponed (a long Retry-After, no LLM provider): queued again, due then.
    resume_at = models.DateTimeField(null=True, blank=True)
    # When its task was last handed to the broker: the clock of the "lost" rule.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # "host:pid" of the worker running it, so a restarted cluster can tell its dead runs.
    claimed_by = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    # The Django-Q task that runs one row, called with its id, and the queue (cluster) it runs on.
    run_task: ClassVar[str] = ""
    queue: ClassVar[Queue] = INTERACTIVE
    # How logs, schedules and messages name a run of this model ("import", "analysis batch").
    run_label: ClassVar[str] = "run"
    # A run whose worker died: True queues it again (its steps are repeatable and it goes on
    # from its progress), False fails it with orphaned_reason so the listener decides.
    resume_orphans: ClassVar[bool] = False
    # A step the database rolled back to settle a conflict (Claim.retry_after_conflict): True
    # does it again in a new turn, for runs whose turns start from what their steps committed
    # (every run that resumes orphans does). False fails the run: a route's Spotify writes sit
    # outside its transactions, so its step is not simply done again.
    retries_conflicts: ClassVar[bool] = False
    orphaned_reason: ClassVar[str] = "The worker running this stopped (restart or crash). Retry to continue."
    resumed_note: ClassVar[str] = "Resumed: the worker running this stopped (restart or crash)."
    stalled_reason: ClassVar[str] = (
        "This {label} made no progress for {minutes} minutes, so its worker has most likely stopped. {after}"
    )
    enqueue_failed_reason: ClassVar[str] = "The task queue did not accept this run. Try again."
    # The outside service whose rate limits postpone this run ("spotify"), if any: lifting that
    # service's pause early brings such runs forward (bring_forward).
    limited_by: ClassVar[str] = ""
    # The "lost" rule's wait for a queued run's task (see LOST_AFTER); longer only for runs
    # that are queued behind many of their own kind on purpose.
    lost_after: ClassVar[timedelta] = LOST_AFTER
    # True: a queued row never handed to the broker (enqueued_at empty) is held back on purpose
    # and its model's feeder hands it over in turn, so the "lost" rule leaves it alone.
    held_until_fed: ClassVar[bool] = False
    # A counter the claim increments (e.g. claims so far), for runs claimed many times (they give
    # their turn, Claim.yield_turn): each task carries its value and claims only while it holds,
    # so a stale copy of an older turn's task (redelivered, or sent again as lost) finds nothing.
    turn_field: ClassVar[str] = ""

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def resume_schedule_name(self) -> str:
        """The Django-Q schedule that resumes this run once postponed (one per run)."""
        return resume_schedule_name(model=type(self), pk=self.pk)

    def task_name(self) -> str:
        """The task that runs this row (a model running several kinds overrides it)."""
        return self.run_task

    @classmethod
    def released(cls, *, claimed_by: str) -> None:
        """Called after a dead worker's runs were handed back: drop what else it held."""


def resume_schedule_name(*, model: type[QueuedRun], pk: int) -> str:
    return f"{model.run_label.replace(' ', '-')}-resume-{pk}"


class ClaimLost(Exception):
    """The run is no longer this worker's (recovered, cancelled by staff): stop, write nothing."""


def _due() -> Q:
    return Q(resume_at__isnull=True) | Q(resume_at__lte=timezone.now())


# --- enqueue ---------------------------------------------------------------------------------


def enqueue_on_commit(run: QueuedRun, *, failed_reason: str = "") -> None:
    """Hand the run's task to the broker once the current transaction commits (at once outside
    one); a refusal fails it with `failed_reason` (else its model's)."""
    model, pk, task = type(run), run.pk, run.task_name()
    transaction.on_commit(lambda: enqueue_now(model=model, pk=pk, task=task, failed_reason=failed_reason))


def submit(*, model: type[QueuedRun], task: str, pk: int) -> str:
    """Hand `task(pk)` (with the run's turn, for a model that has one) to the model's queue now;
    its task id (raises what the broker raises)."""
    args: tuple = (pk,)
    if model.turn_field:
        args += (model.objects.filter(pk=pk).values_list(model.turn_field, flat=True).first(),)
    return enqueue(task, *args, queue=model.queue)


def enqueue_now(*, model: type[QueuedRun], pk: int, task: str, failed_reason: str = "") -> bool:
    """Hand `task(pk)` to the broker now; a refusal fails the still-queued run with its reason
    (`failed_reason`, else the model's)."""
    try:
        task_id = submit(model=model, task=task, pk=pk)
    except Exception:  # any broker failure
        logger.exception("Could not enqueue %s #%s", model.run_label, pk)
        # Only a still-queued run: a worker may have picked up an earlier task meanwhile.
        failed = model.objects.filter(pk=pk, status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            error=failed_reason or model.enqueue_failed_reason,
            finished_at=timezone.now(),
        )
        if failed:
            run_ended_without_worker.send(sender=model, pk=pk)
        return False
    # Only these are written: the worker may already be updating the rest of the row.
    model.objects.filter(pk=pk).update(task_id=task_id, enqueued_at=timezone.now())
    logger.info("Enqueued %s #%s as task %s", model.run_label, pk, task_id)
    return True


# --- claim and what a claimed run writes -----------------------------------------------------


@dataclass
class Claim:
    """A run this worker holds; every write is conditional on still holding it."""

    model: type[QueuedRun]
    pk: int
    worker: str
    run: QueuedRun  # the row as it was right after the claim
    label: str = field(init=False)

    def __post_init__(self) -> None:
        self.label = f"{self.model.run_label.capitalize()} #{self.pk}"

    def rows(self) -> QuerySet:
        return self.model.objects.filter(pk=self.pk, status=RunStatus.RUNNING, claimed_by=self.worker)

    def update(self, **fields: Any) -> None:
        """Write progress; ClaimLost when the run is no longer this worker's."""
        if not self.rows().update(**fields):
            raise ClaimLost(f"{self.label} is no longer claimed by {self.worker}")

    def heartbeat(self, **fields: Any) -> None:
        self.update(heartbeat_at=timezone.now(), **fields)

    def succeed(self, **fields: Any) -> bool:
        return self._end(status=RunStatus.SUCCEEDED, **fields)

    def fail(self, reason: str, **fields: Any) -> bool:
        """Fail with a reason a person can read; False (logged) when the claim was lost first."""
        ended = self._end(status=RunStatus.FAILED, error=reason[:ERROR_LIMIT], **fields)
        if not ended:
            logger.warning("%s failed after losing its claim: %s", self.label, reason)
        return ended

    def wait(self, **fields: Any) -> bool:
        """Stop for the listener's say; it keeps holding what it runs on, with no worker."""
        return bool(self.rows().update(status=RunStatus.WAITING, claimed_by="", **fields))

    def yield_turn(self, **fields: Any) -> bool:
        """Give the worker to others: queued again at once, keeping what it did, its task sent
        again after commit to the back of its queue (time-slicing long runs between listeners).
        False when the claim was lost."""
        with transaction.atomic():
            # Handed over from now (the lost rule's clock), before the task is actually sent.
            updated = self.rows().update(
                status=RunStatus.QUEUED, claimed_by="", resume_at=None, enqueued_at=timezone.now(), **fields
            )
            if updated:
                enqueue_on_commit(self.run)
        if updated:
            logger.info("%s gave its turn to others.", self.label)
        return bool(updated)

    def retry_after_conflict(self, exc: BaseException, **fields: Any) -> bool:
        """When `exc` is the database rolling this run's step back to settle a conflict with
        another transaction (lost_a_database_conflict) and its kind goes on from what it
        committed: queued again at the back of its queue, as a yielded turn, and True (the
        caller stops quietly; the conflict's winner has the rows by then). False for any other
        error, a kind that must not redo a step, or a run past CONFLICT_RETRIES conflicts each
        within CONFLICT_WINDOW of the last: the caller fails the run as before.

        `fields`: only what holds whatever was rolled back (counters), never in-memory progress.
        """
        retries = self.model.resume_orphans or self.model.retries_conflicts
        if not retries or not lost_a_database_conflict(exc):
            return False
        # Counted in the cache (shared by every worker), not on the row: a count is no progress.
        # get and set, not incr: the database cache's incr drops the timeout to its default, and
        # only this run's worker counts for it. A cache that answers nothing (Redis down, its
        # errors ignored) counts every conflict as the first.
        key = f"runs:conflicts:{self.model._meta.label_lower}:{self.pk}"
        lost = (cache.get(key) or 0) + 1
        cache.set(key, lost, timeout=int(CONFLICT_WINDOW.total_seconds()))
        if lost > CONFLICT_RETRIES:
            logger.error(
                "%s lost %s database conflicts within %s; it fails.", self.label, lost, CONFLICT_WINDOW
            )
            return False
        logger.warning("%s lost a database conflict and goes on in a new turn: %s", self.label, exc)
        self.yield_turn(**fields)  # False: the claim was lost, so the run is someone else's anyway
        return True

    def postpone(self, *, resume_at: datetime, **fields: Any) -> bool:
        """Queue the run again, due at `resume_at`, and schedule its task then.

        The run stays active (queued), so a trigger meanwhile gets this run rather than a
        second one, and its progress so far is kept. False when the claim was lost.
        """
        with transaction.atomic():
            updated = self.rows().update(
                status=RunStatus.QUEUED, resume_at=resume_at, claimed_by="", **fields
            )
            if updated:
                schedule_once(
                    self.run.task_name(),
                    self.pk,
                    at=resume_at,
                    name=self.run.resume_schedule_name(),
                    queue=self.model.queue,
                )
        if updated:
            logger.info("%s postponed until %s.", self.label, resume_at.isoformat())
        return bool(updated)

    def _end(self, **fields: Any) -> bool:
        return bool(self.rows().update(finished_at=timezone.now(), **fields))


def lost_a_database_conflict(exc: BaseException) -> bool:
    """Whether `exc` (Django's wrapper or the driver's error, at any depth of its causes) is the
    database rolling a transaction back to settle a conflict (CONFLICT_SQLSTATES)."""
    seen: BaseException | None = exc
    while seen is not None:
        if getattr(seen, "sqlstate", None) in CONFLICT_SQLSTATES:
            return True
        seen = seen.__cause__
    return False


def claim(
    model: type[QueuedRun],
    *,
    pk: int,
    where: dict[str, Any] | None = None,
    select_related: tuple[str, ...] = (),
    turn: int | None = None,
    **reset: Any,
) -> Claim | None:
    """Move a due, queued run to running for this worker; None when it is not this worker's to run.

    `turn`: the value of the model's turn_field the task was sent with (None: a task from before
    the model had turns, or without one); a task of an older turn claims nothing.

    `where` narrows the rows (e.g. a kind); `reset` names the fields a (re)started run sets,
    e.g. progress it starts over or a counter of claims. A resumed run keeps its first started_at.
    The claimed row is loaded once, with `select_related`, as `Claim.run`.
    """
    now = timezone.now()
    worker = worker_name()
    where = dict(where or {})
    if turn is not None and model.turn_field:
        where[model.turn_field] = turn
    claimed = (
        model.objects.filter(pk=pk, status=RunStatus.QUEUED, **where)
        .filter(_due())
        .update(
            status=RunStatus.RUNNING,
            started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())),
            heartbeat_at=now,
            resume_at=None,
            claimed_by=worker,
            error="",
            **reset,
        )
    )
    if not claimed:
        return None
    run = model.objects.select_related(*select_related).get(pk=pk)
    return Claim(model=model, pk=pk, worker=worker, run=run)


# --- turns ---------------------------------------------------------------------------------


def others_waiting(*, queue: Queue, user_id: int | None) -> bool:
    """Another listener's run of `queue` was handed to the broker and waits, due, for a worker:
    a long run of `user_id`'s that checks this between steps gives its turn (Claim.yield_turn).
    Runs of nobody (user None, a benchmark's) count as somebody else's for a listener."""
    from django.apps import apps

    for model in apps.get_models():
        if not issubclass(model, QueuedRun) or model.queue != queue:
            continue
        waiting = model.objects.filter(status=RunStatus.QUEUED, enqueued_at__isnull=False).filter(_due())
        if waiting.exclude(user_id=user_id).exists():
            return True
    return False


# --- bring forward ---------------------------------------------------------------------------


def run_models() -> list[type[QueuedRun]]:
    """Every concrete model of a queued run the installed apps define."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, QueuedRun)]


def bring_forward(*, limited_by: str, postponed_until: datetime) -> int:
    """The runs of every model whose `limited_by` names this service, postponed to no later than
    `postponed_until`, become due now, their resume schedules firing at once (they waited for a
    limit that is gone; runs waiting for anything else keep waiting); how many runs moved."""
    now = timezone.now()
    moved, names = 0, []
    for model in run_models():
        if model.limited_by != limited_by:
            continue
        rows = model.objects.filter(status=RunStatus.QUEUED, resume_at__gt=now, resume_at__lte=postponed_until)
        # Each row names its schedule (a model running several kinds names it by kind).
        names += [run.resume_schedule_name() for run in rows]
        moved += rows.update(resume_at=now)
    Schedule.objects.filter(name__in=names).update(next_run=now)
    return moved


# --- cancel ----------------------------------------------------------------------------------


def cancel(run: QueuedRun, **fields: Any) -> bool:
    """Cancel a queued, postponed or waiting run (one conditional UPDATE) and drop its resume
    schedule; False when it is running or finished (a running run ends by itself)."""
    with transaction.atomic():
        updated = type(run).objects.filter(pk=run.pk, status__in=CANCELLABLE_STATUSES).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now(), resume_at=None, **fields
        )
        if updated:
            Schedule.objects.filter(name=run.resume_schedule_name()).delete()
            run_ended_without_worker.send(sender=type(run), pk=run.pk)
    return bool(updated)
