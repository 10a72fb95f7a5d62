from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import spotify_signed_in
        from core.schedules import register_schedule
        from sync import receivers, tasks

        spotify_signed_in.connect(receivers.import_after_sign_in, dispatch_uid="sync.import_after_sign_in")
        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        # imports whose worker died without anyone noticing (another host, a missed spawn);
        register_schedule(name="fail stuck sync events", task=tasks.fail_stuck_events, minutes=5)
        # queued imports whose task a broker restart lost: enqueued again, so no listener stays
        # locked out by a run nobody will pick up.
        register_schedule(name="requeue lost sync events", task=tasks.requeue_lost_runs, minutes=5)
