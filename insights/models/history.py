"""Play history, polled from Spotify's recently-played list, and where it may have holes.

Spotify keeps only a listener's last 50 plays. A poll that gets a full page cannot tell
whether more plays happened since the previous poll, and a disconnected account is not
polled at all: both leave a HistoryGap, shown on the history page as "may be incomplete".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from library.models import Track


class PlaySource(models.TextChoices):
    API = "api", "Polled from Spotify"
    EXPORT = "export", "Imported from Spotify's privacy export"


class Play(models.Model):
    """One play of a track by a user at `played_at`: when the play ended, as Spotify says (the
    recently-played list to the millisecond, the export's Extended history to the second, its
    Account Data to the minute)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plays")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="plays")
    played_at = models.DateTimeField()
    # Where it was played from, as Spotify says: "playlist", "album", "artist"... or empty.
    context_type = models.CharField(max_length=20, blank=True)
    context_uri = models.CharField(max_length=200, blank=True)
    # How long it played: the export says, the recently-played list does not (null there).
    ms_played = models.PositiveIntegerField(null=True, blank=True)
    # Shorter than 30 s, or Spotify's own skip flag (export plays only: polls cannot tell).
    skipped = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=PlaySource.choices, default=PlaySource.API)
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-played_at", "-id"]
        indexes = [models.Index(fields=["user", "-played_at"])]
        constraints = [
            # Polls overlap (and a cursor may be replayed): the same play is stored once.
            models.UniqueConstraint(fields=["user", "track", "played_at"], name="play_unique_per_user"),
            models.CheckConstraint(condition=Q(source__in=PlaySource.values), name="play_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.track_id} at {self.played_at.isoformat()}"


class UnmatchedPlay(models.Model):
    """A play from the export's Account Data whose names match no track of the mirror.

    Kept apart from Play on purpose: a nullable track on Play would let the same play in twice
    (NULLs never collide in a unique constraint, so a second import would double every one),
    and every query over plays (snapshots, the history page, recaps) would have to leave them
    out. Here the names are the key; a later match by name can move a row into Play.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unmatched_plays"
    )
    track_name = models.CharField(max_length=500)
    artist_name = models.CharField(max_length=500)
    played_at = models.DateTimeField()  # the end of the play, to the minute
    ms_played = models.PositiveIntegerField()
    skipped = models.BooleanField(default=False)
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-played_at", "-id"]
        indexes = [models.Index(fields=["user", "-played_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "track_name", "artist_name", "played_at"],
                name="unmatched_play_unique_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.track_name} by {self.artist_name} at {self.played_at.isoformat()}"


class HistoryState(models.Model):
    """Where a user's history polling stands: the cursor, the last poll, a disconnection."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="history_state"
    )
    # The newest play stored (Spotify's `after` cursor is its time in ms); null before the first poll.
    cursor_played_at = models.DateTimeField(null=True, blank=True)
    first_polled_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)  # the last successful poll
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # Set by the first poll refused for a lost connection; cleared by the next successful one.
    disconnected_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"history of {self.user_id}"


class GapReason(models.TextChoices):
    OVERFLOW = "overflow", "More than 50 plays may have happened between two polls"
    DISCONNECTED = "disconnected", "The Spotify connection was lost"


class HistoryGap(models.Model):
    """A window in which plays may be missing: after `starts_at`, before `ends_at`.

    `ends_at` is null while the window is still open (the account is disconnected now).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_gaps")
    reason = models.CharField(max_length=20, choices=GapReason.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["user", "-starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=GapReason.values), name="history_gap_reason_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), name="history_gap_ordered"
            ),
            # At most one open window per user: the disconnection that is going on.
            models.UniqueConstraint(
                fields=["user"], condition=Q(ends_at__isnull=True), name="history_gap_one_open_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason} gap from {self.starts_at.isoformat()}"
