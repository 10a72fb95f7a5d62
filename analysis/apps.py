from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analysis import receivers, tasks
        from analysis.models import AnalysisBatch
        from core.signals import run_ended_without_worker
        from core.schedules import register_schedule
        from sync.signals import import_completed

        # After an import: the stored ratings follow Spotify's explicit flags as the import left
        # them, then the songs it brought are analysed (before insights' listening refresh,
        # which waits for them: analysis comes first in INSTALLED_APPS).
        import_completed.connect(
            receivers.raise_ratings_after_import, dispatch_uid="analysis.raise_ratings_after_import"
        )
        import_completed.connect(
            receivers.queue_analysis_after_import, dispatch_uid="analysis.queue_analysis_after_import"
        )
        run_ended_without_worker.connect(
            receivers.announce_when_a_batch_ended_without_worker,
            sender=AnalysisBatch,
            dispatch_uid="analysis.announce_when_a_batch_ended_without_worker",
        )
        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        # batches whose worker died or whose task the broker lost are queued again, never failed.
        register_schedule(name="recover analysis batches", task=tasks.recover_analysis_batches, minutes=5)
