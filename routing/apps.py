from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from core.schedules import register_schedule
        from routing import receivers, tasks
        from routing.services import restore, triggers
        from routing.services.restore import RUN_RESTORE_TASK
        from routing.services.route_state import RUN_ROUTE_TASK
        from sync.models import SyncKind
        from sync.services.run_kinds import RunKind, register_run_kind
        from sync.signals import import_completed
        from analysis.signals import analyses_settled

        import_completed.connect(receivers.route_after_import, dispatch_uid="routing.route_after_import")
        analyses_settled.connect(receivers.route_when_settled, dispatch_uid="routing.route_when_settled")

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
        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        register_schedule(name="prune child backups", task=tasks.prune_child_backups, cron="30 3 * * *")
        # Automatic routes that waited for song analyses longer than they should (providers down).
        register_schedule(name="route bases done waiting", task=tasks.route_overdue_bases, minutes=5)
