from django.apps import AppConfig


class SpotifyConfig(AppConfig):
    """The only code that talks to Spotify: client, retry policy, tokens, typed calls, errors, parsing."""

    name = "spotify"
    default_auto_field = "django.db.models.BigAutoField"
