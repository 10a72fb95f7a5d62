from django.apps import AppConfig


class LlmConfig(AppConfig):
    name = "llm"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.schedules import register_schedule
        from llm import tasks

        # Importing `tasks` above registered their job labels (core.jobs.job) in this process,
        # before anything is enqueued from it. Recurring schedules (manage.py ensure_schedules):
        # Cheap checks (model lists, RunPod /health) that re-admit providers whose circuit opened.
        register_schedule(name="llm health check", task=tasks.check_llm_providers, minutes=5)
