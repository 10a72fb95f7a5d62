"""Schedules for any app: a postponed run once (imports, routes, analysis batches, insights),
and the registry of recurring schedules that `manage.py ensure_schedules` creates or repairs.

Each app registers its own recurring schedules in its AppConfig.ready() with
`register_schedule(...)`, naming the task function itself so the stored path is always the
function's own; core imports no app of ours and only collects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django_q.models import Schedule
from django_q.tasks import schedule

from core.jobs import dotted_path
from core.queues import INTERACTIVE, Queue, cluster_name


def schedule_once(func: str, *args: object, at: datetime, name: str, queue: Queue) -> None:
    """Run `func(*args)` once at `at` on `queue`, under the schedule `name` (one per postponed row).

    A ONCE schedule deletes itself after it fires; one left over from an earlier postponement
    that never fired would only start a run that finds nothing to claim, so it is replaced.
    Call inside the transaction that queues the row again, so both land or neither does.
    """
    Schedule.objects.filter(name=name).delete()
    # The schedule names its cluster: that cluster's scheduler fires it into its own queue.
    schedule(func, *args, schedule_type=Schedule.ONCE, next_run=at, name=name, cluster=cluster_name(queue))


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    minutes: int | None = None
    cron: str | None = None
    queue: Queue = INTERACTIVE

    def __post_init__(self) -> None:
        if (self.minutes is None) == (self.cron is None):
            raise ValueError(f"{self.name}: give either minutes or cron")

    @property
    def timing(self) -> str:
        return f"every {self.minutes} min" if self.minutes else f"cron {self.cron!r}"


# By name, which is how ensure_schedules finds a stored schedule; in registration order.
_RECURRING: dict[str, Recurring] = {}


def register_schedule(
    *,
    name: str,
    task: Callable[..., Any],
    minutes: int | None = None,
    cron: str | None = None,
    queue: Queue = INTERACTIVE,
) -> Recurring:
    """Declare a recurring schedule: every `minutes`, or on a `cron` expression read in
    Q_CLUSTER's time zone, run on `queue`'s cluster. Registering a name again replaces it (a
    reloaded app config)."""
    recurring = Recurring(name=name, func=dotted_path(task), minutes=minutes, cron=cron, queue=queue)
    _RECURRING[name] = recurring
    return recurring


def recurring_schedules() -> tuple[Recurring, ...]:
    """Every registered recurring schedule, as the apps' ready() declared them."""
    return tuple(_RECURRING.values())
