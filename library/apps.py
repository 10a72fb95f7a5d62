from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the tasks registers their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it.
        from library import tasks  # noqa: F401
