from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from insights.services.jobs import register_job, user_of_row
        from routing import receivers
        from routing.services import restore, triggers
        from routing.services.restore import RUN_RESTORE_TASK
        from routing.services.route_state import RUN_ROUTE_TASK
        from sync.models import SyncKind
        from sync.services.run_kinds import RunKind, register_run_kind
        from sync.signals import import_completed

        import_completed.connect(receivers.route_after_import, dispatch_uid="routing.route_after_import")

        # Route and restore runs are SyncEvents for now: sync's generic run code (lost-task
        # sweep, retry and cancel) learns here how to run, retry and show them.
        def base_page(event) -> str | None:
            return reverse("routing:base", args=[event.base_id]) if event.base_id else None

        register_run_kind(
            RunKind(kind=SyncKind.ROUTE, task=RUN_ROUTE_TASK, retry=triggers.retry_route, page=base_page)
        )
        register_run_kind(
            RunKind(kind=SyncKind.RESTORE, task=RUN_RESTORE_TASK, retry=restore.retry_restore, page=base_page)
        )

        # Labels and users for the job records.
        run_user = user_of_row("sync.SyncEvent", name="event_id")
        register_job(func=RUN_ROUTE_TASK, label="Route", user_of=run_user)
        register_job(func=RUN_RESTORE_TASK, label="Restore", user_of=run_user)
        register_job(func="routing.tasks.prune_child_backups", label="Child backup pruning")
