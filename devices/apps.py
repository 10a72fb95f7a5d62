from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.schedules import register_schedule
        from devices import tasks

        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        # Sessions silent past their 5-minute TTL: readers already ignore them, this only bounds
        # the table.
        register_schedule(name="prune device sessions", task=tasks.prune_device_sessions, minutes=5)
