from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from analysis.signals import analyses_settled
        from core.schedules import register_schedule
        from routing import receivers, tasks
        from sync.signals import import_completed

        import_completed.connect(receivers.route_after_import, dispatch_uid="routing.route_after_import")
        analyses_settled.connect(receivers.route_when_settled, dispatch_uid="routing.route_when_settled")
        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        register_schedule(name="prune child backups", task=tasks.prune_child_backups, cron="30 3 * * *")
        # Automatic routes that waited for song analyses longer than they should (providers down).
        register_schedule(name="route bases done waiting", task=tasks.route_overdue_bases, minutes=5)
        # Route runs whose worker died unnoticed, and queued ones whose task a broker restart
        # lost: no base stays locked by a run nobody will finish.
        register_schedule(name="recover route runs", task=tasks.recover_route_runs, minutes=5)
