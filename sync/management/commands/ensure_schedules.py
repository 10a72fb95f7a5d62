"""Create or update the cluster's recurring schedules; running it again changes nothing.

Run after every migrate (the demo script and docker-compose's migrate service do).
Schedules are found by name, so an operator's edits to the timing are overwritten with
these values and any duplicate of a name is removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    minutes: int


SCHEDULES = (
    # /health reports when a cluster last ran this: the cluster's own sign of life.
    Recurring(name="cluster heartbeat", func="config.tasks.cluster_heartbeat", minutes=1),
    # Imports whose worker died without anyone noticing (another host, a missed spawn).
    Recurring(name="fail stuck sync events", func="sync.tasks.fail_stuck_events", minutes=5),
    # Cheap checks (model lists, RunPod /health) that re-admit LLM providers whose circuit opened.
    Recurring(name="llm health check", func="llm.tasks.check_llm_providers", minutes=5),
    # Analysis batches whose worker died or whose task the broker lost: queued again, never failed.
    Recurring(name="recover analysis batches", func="insights.tasks.recover_analysis_batches", minutes=5),
)


class Command(BaseCommand):
    help = "Create or update the recurring Django-Q schedules (idempotent)."

    def handle(self, *args, **options) -> None:
        for recurring in SCHEDULES:
            with transaction.atomic():
                created = self._ensure(recurring)
            verb = "created" if created else "up to date"
            self.stdout.write(f"{recurring.name}: {verb} (every {recurring.minutes} min, {recurring.func})")

    def _ensure(self, recurring: Recurring) -> bool:
        """Make the schedule named `recurring.name` match it; True if it had to be created."""
        # Schedule.name is not unique in Django-Q2's table: keep the oldest, drop copies.
        existing = list(Schedule.objects.select_for_update().filter(name=recurring.name).order_by("pk"))
        for duplicate in existing[1:]:
            duplicate.delete()
        values = {
            "func": recurring.func,
            "schedule_type": Schedule.MINUTES,
            "minutes": recurring.minutes,
            "repeats": -1,
            "args": None,
            "kwargs": None,
        }
        if existing:
            schedule = existing[0]
            changed = [key for key, value in values.items() if getattr(schedule, key) != value]
            if changed:
                for key in changed:
                    setattr(schedule, key, values[key])
                schedule.save(update_fields=changed)
            return False
        # Only a new schedule gets a first run time: an existing one keeps its rhythm.
        Schedule.objects.create(name=recurring.name, next_run=timezone.now(), **values)
        return True
