from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """A listener's data as files: a playlist, the whole library, the history, the song analyses.
    Reads only; nothing imports this app but the root URLs."""

    name = "exports"
    default_auto_field = "django.db.models.BigAutoField"
