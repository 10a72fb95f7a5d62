from django.apps import AppConfig


class LlmConfig(AppConfig):
    name = "llm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing the tasks registers their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it.
        from llm import tasks  # noqa: F401
