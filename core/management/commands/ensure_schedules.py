"""Create or update the cluster's recurring schedules; running it again changes nothing.

Run after every migrate (the demo script and docker-compose's migrate service do). Each app
declares its own schedules in its AppConfig.ready() (core.schedules.register_schedule); this
command, in core, only collects them. Schedules are found by name, so an operator's edits to
the timing are overwritten with these values and any duplicate of a name is removed.

A schedule runs every N minutes or on a cron expression. Django-Q2 (1.11) evaluates cron with
croniter from the current time converted to Q_CLUSTER["time_zone"], which defaults to
settings.TIME_ZONE (django_q.conf.Conf.TIME_ZONE, Schedule.calculate_next_run): "02:00" is
02:00 in the configured time zone. The first run of a new cron schedule is computed the same
way, by Django-Q2's own code, so the command and the cluster always agree.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from core.queues import cluster_name
from core.schedules import Recurring, recurring_schedules


def _values(recurring: Recurring) -> dict:
    return {
        "func": recurring.func,
        "schedule_type": Schedule.CRON if recurring.cron else Schedule.MINUTES,
        "minutes": recurring.minutes,
        "cron": recurring.cron,
        "repeats": -1,
        "args": None,
        "kwargs": None,
        # Its cluster's scheduler fires it, into that cluster's queue.
        "cluster": cluster_name(recurring.queue),
    }


def _first_run(values: dict):
    """Now for an interval; the next matching time for cron (not now: a weekly job would run at
    every fresh start-up)."""
    if values["schedule_type"] != Schedule.CRON:
        return timezone.now()
    return Schedule(schedule_type=Schedule.CRON, cron=values["cron"]).calculate_next_run()


class Command(BaseCommand):
    help = "Create or update the recurring Django-Q schedules (idempotent)."

    def handle(self, *args, **options) -> None:
        for recurring in recurring_schedules():
            with transaction.atomic():
                created = self._ensure(recurring)
            verb = "created" if created else "up to date"
            self.stdout.write(f"{recurring.name}: {verb} ({recurring.timing}, {recurring.func})")
        self.stdout.write(f"Cron times are in {Conf.TIME_ZONE}.")

    def _ensure(self, recurring: Recurring) -> bool:
        """Make the schedule named `recurring.name` match it; True if it had to be created."""
        # Schedule.name is not unique in Django-Q2's table: keep the oldest, drop copies.
        existing = list(Schedule.objects.select_for_update().filter(name=recurring.name).order_by("pk"))
        for duplicate in existing[1:]:
            duplicate.delete()
        values = _values(recurring)
        if existing:
            schedule = existing[0]
            changed = [key for key, value in values.items() if getattr(schedule, key) != value]
            if changed:
                for key in changed:
                    setattr(schedule, key, values[key])
                # An interval keeps its rhythm; a new cron gets its next matching time, since the
                # old next run was computed from the old timing.
                if recurring.cron and {"cron", "schedule_type"} & set(changed):
                    schedule.next_run = _first_run(values)
                    changed.append("next_run")
                schedule.save(update_fields=changed)
            return False
        Schedule.objects.create(name=recurring.name, next_run=_first_run(values), **values)
        return True
