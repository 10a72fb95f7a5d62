from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import selectors
        from core.health import add_warning

        # /health warns (never fails) while Spotify has paused this deployment.
        add_warning(selectors.spotify_pause_warning)
