from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q import signals as q_signals

        from insights import receivers
        from insights.services import jobs
        from sync.signals import import_completed

        # After an import: today's listening refresh (it waits for the song analyses).
        import_completed.connect(
            receivers.queue_listening_after_import, dispatch_uid="insights.queue_listening_after_import"
        )
        # Job records for every task of the product (insights.services.jobs says which signal when).
        jobs.register_insights_jobs()
        q_signals.pre_enqueue.connect(jobs.on_pre_enqueue, dispatch_uid="insights.jobs.enqueued")
        q_signals.pre_execute.connect(jobs.on_pre_execute, dispatch_uid="insights.jobs.started")
        q_signals.post_execute.connect(jobs.on_post_execute, dispatch_uid="insights.jobs.finished")
        q_signals.post_execute_in_worker.connect(
            jobs.on_post_execute_in_worker, dispatch_uid="insights.jobs.sync_failed"
        )
