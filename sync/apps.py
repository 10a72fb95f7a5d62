from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from accounts.signals import spotify_signed_in
        from insights.services.jobs import register_job, user_of_row
        from sync import receivers
        from sync.models import SyncKind
        from sync.services import triggers
        from sync.services.run_kinds import RunKind, register_run_kind

        spotify_signed_in.connect(receivers.import_after_sign_in, dispatch_uid="sync.import_after_sign_in")
        # Django-Q2 sends post_spawn in every worker it starts, including replacements.
        post_spawn.connect(
            receivers.fail_runs_of_dead_workers, dispatch_uid="sync.fail_runs_of_dead_workers"
        )
        register_run_kind(
            RunKind(kind=SyncKind.IMPORT, task=triggers.RUN_IMPORT_TASK, retry=triggers.retry_import)
        )
        # Labels and users for the job records (insights records every task of the product).
        run_user = user_of_row("sync.SyncEvent", name="event_id")
        register_job(func=triggers.RUN_IMPORT_TASK, label="Import", user_of=run_user)
        register_job(func="sync.tasks.requeue_lost_runs", label="Lost run sweep")
        register_job(func="sync.tasks.fail_stuck_events", label="Stuck sync clean-up")
