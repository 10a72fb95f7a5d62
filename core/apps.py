from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app uses (job records, workers, schedules, encryption, health); imports
    nothing of ours: each app registers its own task labels and schedules here."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import register_converter
        from django_q import signals as q_signals

        from core.api_input import IdConverter

        from core import jobs, receivers, tasks  # tasks: importing them registers their job labels
        from core.queues import BULK
        from core.schedules import register_schedule

        # `<id:pk>` in every API URL: a bounded database id (core.api_input). Registered before
        # the URLconf is first imported, which happens after every app is ready.
        register_converter(IdConverter, "id")

        # Every kind of run a dead worker left on this host, handed back as a worker spawns
        # (Django-Q2 sends post_spawn in every worker it starts, including replacements).
        q_signals.post_spawn.connect(
            receivers.recover_runs_of_dead_workers, dispatch_uid="core.recover_runs_of_dead_workers"
        )
        # Job records for every task of the product (core.jobs says which signal comes when).
        q_signals.pre_enqueue.connect(jobs.on_pre_enqueue, dispatch_uid="core.jobs.enqueued")
        q_signals.pre_execute.connect(jobs.on_pre_execute, dispatch_uid="core.jobs.started")
        q_signals.post_execute.connect(jobs.on_post_execute, dispatch_uid="core.jobs.finished")
        q_signals.post_execute_in_worker.connect(
            jobs.on_post_execute_in_worker, dispatch_uid="core.jobs.sync_failed"
        )

        # Recurring schedules (manage.py ensure_schedules creates or repairs them).
        # /health reports when a cluster last ran this: the cluster's own sign of life.
        register_schedule(name="cluster heartbeat", task=tasks.cluster_heartbeat, minutes=1)
        register_schedule(name="bulk cluster heartbeat", task=tasks.cluster_heartbeat, minutes=1, queue=BULK)
        # Job records of tasks that timed out or lost their worker (Django-Q2 signals neither).
        register_schedule(name="fail lost job records", task=tasks.fail_lost_jobs, minutes=5)
        register_schedule(name="prune job records", task=tasks.prune_job_records, cron="0 3 * * 1")
