from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.fields import EncryptedTextField


class User(AbstractUser):
    """A listener. Signs in with Spotify; email is optional (Development-mode Spotify sends none)."""

    display_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class SpotifyCredential(models.Model):
    """One user's Spotify grant. Tokens are encrypted at rest and never printed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="spotify_credential"
    )
    spotify_user_id = models.CharField(max_length=255, unique=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    expires_at = models.DateTimeField()
    # Space-separated, as Spotify grants them (may be fewer than we asked for).
    scopes = models.TextField(blank=True)
    reconnect_needed = models.BooleanField(default=False)
    reconnect_reason = models.CharField(max_length=255, blank=True)
    # Spotify's rate limit is per app, but we record it where a page can show it.
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Deliberately no token material: this string ends up in logs and the admin.
        return f"Spotify credential of {self.spotify_user_id} (user {self.user_id})"

    def __repr__(self) -> str:
        return f"<SpotifyCredential user={self.user_id} spotify_user_id={self.spotify_user_id!r}>"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
