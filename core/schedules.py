"""Scheduling a postponed run once, for any app (imports, routes, analysis batches, insights)."""

from __future__ import annotations

from datetime import datetime

from django_q.models import Schedule
from django_q.tasks import schedule


def schedule_once(func: str, *args: object, at: datetime, name: str) -> None:
    """Run `func(*args)` once at `at`, under the schedule `name` (one per postponed row).

    A ONCE schedule deletes itself after it fires; one left over from an earlier postponement
    that never fired would only start a run that finds nothing to claim, so it is replaced.
    Call inside the transaction that queues the row again, so both land or neither does.
    """
    Schedule.objects.filter(name=name).delete()
    schedule(func, *args, schedule_type=Schedule.ONCE, next_run=at, name=name)
