"""A listener's device library on the server: what every client merges with (devices.merge).

The tables keep the names they had when these models lived in the library app (db_table):
moving the code changed no table (devices 0001 and library 0004 move them in state only).

Two kinds of time on every row. The client's times (added_at, played_at, changed_at, the
playlist fields' *_updated_at) say when the listener did something, on whichever device; the
merge compares them. `updated_at` is when the server last wrote the row; "changes since"
(devices.services.library_changes) compares that, since a device's clock may be behind ours.

Deletions are rows kept with a marker (removed_at), not deleted rows: a device that still
holds the old copy must learn of the removal when it merges, or it would bring it back.
Tracks are referenced by Spotify id, not by a foreign key to the catalog: a client may
favorite a track our mirror has never imported.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RepeatMode(models.TextChoices):
    OFF = "off", "Off"
    ONE = "one", "Repeat one"
    ALL = "all", "Repeat all"


class TrackRefFields(models.Model):
    """A track as a client shows it offline: its id and what to display."""

    track = models.CharField(max_length=64)  # Spotify track id (devices.types.track_key)
    title = models.CharField(max_length=500, blank=True)
    artist = models.CharField(max_length=500, blank=True)
    # Whatever URL the client sent; not a URLField, whose validation is for forms we do not have.
    artwork_url = models.CharField(max_length=1000, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class Favorite(TrackRefFields):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    added_at = models.DateTimeField()
    # Removed when removed_at >= added_at; a later addition (newer added_at) brings it back.
    removed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_favorite"
        constraints = [models.UniqueConstraint(fields=["user", "track"], name="favorite_unique_track")]
        indexes = [models.Index(fields=["user", "updated_at"], name="favorite_user_updated")]

    def __str__(self) -> str:
        return f"{self.title or self.track} (user {self.user_id})"


class HistoryEntry(TrackRefFields):
    """One play. The same song played at two times is two entries; the newest 500 are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_entries"
    )
    played_at = models.DateTimeField()
    completion = models.FloatField(null=True, blank=True)  # 0..1 of the track heard
    source = models.CharField(max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_historyentry"
        verbose_name_plural = "history entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "track", "played_at"], name="history_entry_unique_play"),
            models.CheckConstraint(
                condition=Q(completion__isnull=True) | Q(completion__gte=0, completion__lte=1),
                name="history_entry_completion_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-played_at"], name="history_user_played"),
            models.Index(fields=["user", "updated_at"], name="history_user_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.track} at {self.played_at:%Y-%m-%d %H:%M}"


class Queue(models.Model):
    """The listener's play queue, one per user, replaced whole by the newer one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_queue"
    )
    # [{"track", "title", "artist", "artwork_url", "duration_ms"}, ...] in play order.
    items = models.JSONField(default=list, blank=True)
    device = models.CharField(max_length=200, blank=True)  # where it was last changed
    changed_at = models.DateTimeField()  # the client's time of the change
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_queue"

    def __str__(self) -> str:
        return f"queue of user {self.user_id} ({len(self.items)} tracks)"


class AppPlaylist(models.Model):
    """A playlist of the app (not a Spotify one: those are library.Playlist). Its items are one
    JSON list because the merge treats them as one field with one edit time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_playlists")
    # The id the client gave it offline, so a retried merge finds it instead of making a copy.
    local_id = models.CharField(max_length=100, null=True, blank=True)
    name = models.CharField(max_length=500)
    name_updated_at = models.DateTimeField()
    description = models.TextField(blank=True)
    description_updated_at = models.DateTimeField()
    is_public = models.BooleanField(default=False)
    is_public_updated_at = models.DateTimeField()
    # [{"track", "title", "artist", "artwork_url", "duration_ms", "added_at"}, ...] in order.
    items = models.JSONField(default=list, blank=True)
    items_updated_at = models.DateTimeField()
    created_at = models.DateTimeField()  # on the client, when the listener made it
    removed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_appplaylist"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "local_id"],
                condition=Q(local_id__isnull=False),
                name="app_playlist_unique_local_id",
            )
        ]
        indexes = [models.Index(fields=["user", "updated_at"], name="app_playlist_user_updated")]

    def __str__(self) -> str:
        return self.name


class Preferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_preferences"
    )
    shuffle = models.BooleanField(default=False)
    repeat = models.CharField(max_length=3, choices=RepeatMode.choices, default=RepeatMode.OFF)
    volume = models.FloatField(default=1.0)
    changed_at = models.DateTimeField()  # the client's time of the change
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_preferences"
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(condition=Q(volume__gte=0, volume__lte=1), name="preferences_volume_0_1"),
            models.CheckConstraint(condition=Q(repeat__in=RepeatMode.values), name="preferences_repeat_mode"),
        ]

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"


class RecentSearch(models.Model):
    """One of the newest 20 searches; "Abba" and "abba" are one search (the unique query_key).

    The key is computed in Python (devices.merge.search_key, casefold), not by the
    database's LOWER(): the two disagree on some letters (Greek final sigma, dotted İ), and the
    merge and the constraint must agree on what counts as the same search.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_searches"
    )
    query = models.CharField(max_length=200)
    query_key = models.CharField(max_length=400)  # casefold can lengthen a string ("ß" → "ss")
    searched_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "library_recentsearch"
        constraints = [
            models.UniqueConstraint(fields=["user", "query_key"], name="recent_search_unique_query")
        ]
        indexes = [models.Index(fields=["user", "-searched_at"], name="recent_search_user_searched")]

    def __str__(self) -> str:
        return self.query


class DeviceSession(models.Model):
    """A signed-in client, kept alive by its pings; gone after SESSION_TTL without one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_sessions"
    )
    session_id = models.CharField(max_length=100)  # made by the client, unique per user
    device = models.CharField(max_length=200, blank=True)  # the client's label, "Pixel 8"
    last_seen = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "library_devicesession"
        constraints = [
            models.UniqueConstraint(fields=["user", "session_id"], name="device_session_unique_id")
        ]
        indexes = [models.Index(fields=["last_seen"], name="device_session_last_seen")]

    def __str__(self) -> str:
        return f"{self.device or self.session_id} (user {self.user_id})"
