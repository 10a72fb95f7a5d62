from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from accounts.signals import spotify_signed_in
        from sync import receivers, tasks  # noqa: F401  (tasks: see below)
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
        # The import of `tasks` above registered their job labels (core.jobs.job) in this
        # process, before anything is enqueued from it.
