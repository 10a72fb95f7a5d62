from django.apps import AppConfig


class SpotifyConfig(AppConfig):
    """The only code that talks to Spotify: client, retry policy, tokens, typed calls, errors, parsing."""

    name = "spotify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.queues import BULK
        from core.schedules import register_schedule
        from spotify import tasks

        # Importing `tasks` above registered their job labels (core.jobs.job) in this process.
        # Access tokens last an hour: refreshing those expiring before the next run means a task
        # never starts with a dead one (the client still refreshes on its own if it must).
        register_schedule(name="refresh expiring tokens", task=tasks.refresh_expiring_tokens, minutes=30, queue=BULK)
