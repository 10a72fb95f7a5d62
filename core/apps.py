from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app uses (job records, workers, schedules, encryption, health); imports
    nothing of ours: each app registers its own task labels and schedules here."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q import signals as q_signals

        from core import jobs, tasks  # noqa: F401  (tasks: registers their job labels)

        # Job records for every task of the product (core.jobs says which signal comes when).
        q_signals.pre_enqueue.connect(jobs.on_pre_enqueue, dispatch_uid="core.jobs.enqueued")
        q_signals.pre_execute.connect(jobs.on_pre_execute, dispatch_uid="core.jobs.started")
        q_signals.post_execute.connect(jobs.on_post_execute, dispatch_uid="core.jobs.finished")
        q_signals.post_execute_in_worker.connect(
            jobs.on_post_execute_in_worker, dispatch_uid="core.jobs.sync_failed"
        )
