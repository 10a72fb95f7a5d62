from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from insights import receivers, tasks  # noqa: F401  (tasks: see below)
        from sync.signals import import_completed

        # After an import: today's listening refresh (it waits for the song analyses).
        import_completed.connect(
            receivers.queue_listening_after_import, dispatch_uid="insights.queue_listening_after_import"
        )
        # The import of `tasks` above registered their job labels (core.jobs.job) in this
        # process, before anything is enqueued from it.
