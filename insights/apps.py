from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from core.queues import BULK
        from core.signals import run_ended_without_worker
        from insights.models import HistoryImport
        from core.schedules import register_schedule
        from insights import receivers, tasks
        from analysis.signals import analyses_settled
        from sync.signals import import_completed

        # After an import: today's listening refresh, once the song analyses it queued settled.
        import_completed.connect(
            receivers.queue_listening_after_import, dispatch_uid="insights.queue_listening_after_import"
        )
        analyses_settled.connect(
            receivers.refresh_listening_when_settled, dispatch_uid="insights.refresh_listening_when_settled"
        )
        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        # Spotify keeps only the last 50 plays: polling hourly loses none for all but non-stop listeners.
        register_schedule(
            name="poll listening history", task=tasks.poll_all_histories, cron="0 * * * *", queue=BULK
        )
        # Night-time, when nobody waits on the shared Spotify rate limit.
        register_schedule(name="daily listening ingest", task=tasks.ingest_all_users, cron="0 2 * * *", queue=BULK)
        register_schedule(name="recover listening ingests", task=tasks.recover_listening_ingests, minutes=5)
        register_schedule(name="recover history imports", task=tasks.recover_history_imports, minutes=5)
        # Deleting a listener deletes their imports row by row (a receiver is connected, so the
        # cascade sends post_delete): the uploads on disk go with them.
        post_delete.connect(
            receivers.delete_upload_with_its_import,
            sender=HistoryImport,
            dispatch_uid="insights.delete_upload_with_its_import",
        )
        run_ended_without_worker.connect(
            receivers.discard_upload_when_an_import_ended,
            sender=HistoryImport,
            dispatch_uid="insights.discard_upload_when_an_import_ended",
        )
        register_schedule(
            name="weekly summaries", task=tasks.generate_weekly_summaries, cron="0 9 * * 0", queue=BULK
        )
