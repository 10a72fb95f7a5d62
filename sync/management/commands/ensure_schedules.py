"""Create or update the cluster's recurring schedules; running it again changes nothing.

Run after every migrate (the demo script and docker-compose's migrate service do).
Schedules are found by name, so an operator's edits to the timing are overwritten with
these values and any duplicate of a name is removed.

A schedule runs every N minutes or on a cron expression. Django-Q2 (1.11) evaluates cron with
croniter from the current time converted to Q_CLUSTER["time_zone"], which defaults to
settings.TIME_ZONE (django_q.conf.Conf.TIME_ZONE, Schedule.calculate_next_run): "02:00" is
02:00 in the configured time zone. The first run of a new cron schedule is computed the same
way, by Django-Q2's own code, so the command and the cluster always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    minutes: int | None = None
    cron: str | None = None

    def __post_init__(self) -> None:
        if (self.minutes is None) == (self.cron is None):
            raise ValueError(f"{self.name}: give either minutes or cron")

    @property
    def timing(self) -> str:
        return f"every {self.minutes} min" if self.minutes else f"cron {self.cron!r}"


SCHEDULES = (
    # /health reports when a cluster last ran this: the cluster's own sign of life.
    Recurring(name="cluster heartbeat", func="core.tasks.cluster_heartbeat", minutes=1),
    # Imports whose worker died without anyone noticing (another host, a missed spawn).
    Recurring(name="fail stuck sync events", func="sync.tasks.fail_stuck_events", minutes=5),
    # Queued imports, routes and restores whose task a broker restart lost: enqueued again, so
    # no base stays locked by a run nobody will pick up.
    Recurring(name="requeue lost sync events", func="sync.tasks.requeue_lost_runs", minutes=5),
    Recurring(name="prune child backups", func="routing.tasks.prune_child_backups", cron="30 3 * * *"),
    # Cheap checks (model lists, RunPod /health) that re-admit LLM providers whose circuit opened.
    Recurring(name="llm health check", func="llm.tasks.check_llm_providers", minutes=5),
    # Analysis batches whose worker died or whose task the broker lost: queued again, never failed.
    Recurring(name="recover analysis batches", func="analysis.tasks.recover_analysis_batches", minutes=5),
    # Job records of tasks that timed out or lost their worker (Django-Q2 signals neither).
    Recurring(name="fail lost job records", func="insights.tasks.fail_lost_jobs", minutes=5),
    # Spotify keeps only the last 50 plays: polling hourly loses none for all but non-stop listeners.
    Recurring(name="poll listening history", func="insights.tasks.poll_all_histories", cron="0 * * * *"),
    # Night-time, when nobody waits on the shared Spotify rate limit.
    Recurring(name="daily listening ingest", func="insights.tasks.ingest_all_users", cron="0 2 * * *"),
    # Access tokens last an hour: refreshing those expiring before the next run means a task never
    # starts with a dead one (the client still refreshes on its own if it must).
    Recurring(name="refresh expiring tokens", func="spotify.tasks.refresh_expiring_tokens", minutes=30),
    Recurring(name="weekly summaries", func="insights.tasks.generate_weekly_summaries", cron="0 9 * * 0"),
    Recurring(name="prune job records", func="insights.tasks.prune_job_records", cron="0 3 * * 1"),
    # Sessions silent past their 5-minute TTL: readers already ignore them, this only bounds the table.
    Recurring(name="prune device sessions", func="library.tasks.prune_device_sessions", minutes=5),
)


def _values(recurring: Recurring) -> dict:
    return {
        "func": recurring.func,
        "schedule_type": Schedule.CRON if recurring.cron else Schedule.MINUTES,
        "minutes": recurring.minutes,
        "cron": recurring.cron,
        "repeats": -1,
        "args": None,
        "kwargs": None,
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
        for recurring in SCHEDULES:
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
