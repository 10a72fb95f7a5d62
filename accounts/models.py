from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from accounts.fields import EncryptedTextField


class User(AbstractUser):
    """A listener. Signs in with Spotify; email is optional (Development-mode Spotify sends none)."""

    display_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class SpotifyAccess(models.TextChoices):
    """What Spotify last said about serving this listener at all (apart from the grant)."""

    SERVED = "served", "Served"
    # Development-mode apps serve only the users listed in Spotify's developer dashboard.
    NOT_ALLOWLISTED = "not_allowlisted", "Not on the app's user list"


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
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    # When the listener authorised the grant we hold (the sign-in that issued its refresh
    # token): Spotify ends it a fixed time after (SPOTIFY_GRANT_LIFETIME_DAYS), however often it
    # is refreshed. Every sign-in that brings a refresh token starts a new grant, which is how
    # a listener renews (the rule: accounts.credentials._starts_new_grant).
    first_authorized_at = models.DateTimeField(null=True, blank=True)
    # Spotify's immutable account id from /me (May 2026: link accounts by it, not by `id`).
    account_id = models.CharField(max_length=255, blank=True)
    access = models.CharField(max_length=32, choices=SpotifyAccess.choices, default=SpotifyAccess.SERVED)
    # When `access` last changed: since when Spotify refuses (or serves again) this listener.
    access_changed_at = models.DateTimeField(null=True, blank=True)
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


class SpotifyPause(models.Model):
    """Spotify told this deployment to stop calling until `until`: a quota 429, or a Retry-After
    too long to wait out in a worker. The quota is the developer account's, shared by every
    listener and every process, so one row stops them all (spotify.http reads it before each
    request). One row per pause, kept, so staff see how often it happened and who met it."""

    # A ONCE schedule named with this ending waits for the pause (a postponed history poll or
    # ingest round); lifting a pause early brings it forward with the postponed runs.
    SCHEDULE_SUFFIX = "-after-spotify-pause"

    class Reason(models.TextChoices):
        QUOTA = "quota", "Quota exceeded"
        RATE_LIMIT = "rate_limit", "Rate limit (long Retry-After)"

    until = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    retry_after = models.PositiveIntegerField()  # seconds, as Spotify sent it
    message = models.CharField(max_length=255, blank=True)  # Spotify's own words
    # Whose request met it (none for a request of nobody's, such as a benchmark's).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]

    def __str__(self) -> str:
        return f"Spotify pause until {self.until:%Y-%m-%d %H:%M} ({self.get_reason_display()})"


class SignInRefusal(models.Model):
    """A Spotify sign-in that Spotify refused to serve, counted for the operator (admin).

    Spotify refuses the profile request, so who it was is mostly unknown: the row records when
    and why, and the Spotify id when a later answer named it.
    """

    class Reason(models.TextChoices):
        NOT_ALLOWLISTED = "not_allowlisted", "Not on the Development-mode app's user list"

    reason = models.CharField(max_length=32, choices=Reason.choices)
    spotify_user_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "sign-in refusal"

    def __str__(self) -> str:
        return f"Sign-in refused ({self.get_reason_display()}) at {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """One API token of a listener, for one device or script (its `name` says which: "phone",
    "laptop"). Revoking one (deleting the row) leaves the others working.

    The secret is never stored: only its SHA-256 `digest` (the secret is 256 random bits, so a
    plain hash is enough, unlike a password) and its first characters, `prefix`, which find the
    row and let the listener and staff tell tokens apart. The secret is shown once, when created
    (accounts.services.create_api_token); accounts.authentication checks it.

    Our own model, not django-rest-knox's (5.1): knox makes the digest the primary key (it would
    show in admin and revoke URLs), deletes an expired token when it is presented and answers
    "Invalid token." (we keep it listed and say it expired), reads every token of the user on
    each request, has no name or last use, and its migrations create its own table even when the
    model is swapped. What would remain of it is a manager and a hash call from the stdlib.
    """

    NAME_MAX_LENGTH = 50
    # Enough for every device and script of a listener; a bound so a leaked session cannot mint
    # tokens without end (the API and the dashboard refuse the next one with a 400).
    PER_LISTENER = 20
    # "lnt_" and 8 random characters of a new token (48 bits; the secret keeps 208 more), or the
    # first 12 hex digits of a token moved from DRF's table (112 bits remain secret).
    PREFIX_LENGTH = 12

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64)  # hex SHA-256 of the whole secret
    # A default, not auto_now_add: tokens moved from DRF's table keep the time they were made.
    created_at = models.DateTimeField(default=timezone.now)
    # Written at most once a minute per token (accounts.services.note_api_token_use).
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)  # None: until revoked

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique_per_user"),
        ]

    def __str__(self) -> str:
        # The prefix only: this string is shown in the admin and may reach logs.
        return f"API token “{self.name}” ({self.prefix}…) of user {self.user_id}"

    def __repr__(self) -> str:
        return f"<ApiToken {self.pk} user={self.user_id} name={self.name!r} prefix={self.prefix!r}>"

    def expired(self, *, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @classmethod
    def prefix_of(cls, secret: str) -> str:
        return secret[: cls.PREFIX_LENGTH]

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
