from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app uses (workers, schedules, encryption, health); imports nothing of ours."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"
