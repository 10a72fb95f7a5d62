"""Listening snapshots (one user's aggregate per day and time range) and the insights an LLM
writes from them."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from core.queues import BULK, Queue
from core.runs import QueuedRun, RunStatus


class TimeRange(models.TextChoices):
    # Spotify's windows for top items: about 4 weeks, about 6 months, about a year and more.
    SHORT = "short_term", "Last 4 weeks"
    MEDIUM = "medium_term", "Last 6 months"
    LONG = "long_term", "All time"


class ListeningSnapshot(models.Model):
    """What one user listened to, as of `snapshot_date`, over `time_range`.

    Shares are fractions of 1 over what they count (tracks, plays, analysed tracks), so
    snapshots of different sizes compare. Diversity scores are normalised Shannon entropy
    (H / ln k over the k categories present; 0 for one category, 1 for an even spread).
    `mood_*` and `energy_mean` come from our song analyses, so `moods_estimated` is true;
    `audio_features` holds Spotify's aggregates when the app may read them (Extended mode).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="snapshots")
    snapshot_date = models.DateField()
    time_range = models.CharField(max_length=20, choices=TimeRange.choices)
    top_tracks = models.JSONField(default=list)  # [{"id", "rank"}], rank 1 first
    top_artists = models.JSONField(default=list)  # [{"id", "rank"}]
    # Every artist credited on a stored play in the window, not only Spotify's top artists:
    # [{"id", "plays"}], most played first (insights.services.snapshot_figures.played_artists).
    played_artists = models.JSONField(default=list)
    genre_distribution = models.JSONField(default=dict)  # {genre: share of top artists}
    decade_distribution = models.JSONField(default=dict)  # {"1990s": share of top tracks}
    explicit_share = models.FloatField(null=True, blank=True)  # of top tracks
    play_count = models.PositiveIntegerField(default=0)  # stored plays inside the range's window
    hour_of_day = models.JSONField(default=list)  # 24 play counts, in the configured time zone
    weekday_hours = models.JSONField(default=list)  # 7 × 24 play counts, Monday first
    audio_features = models.JSONField(null=True, blank=True)  # {"energy": mean, ...} or null
    mood_distribution = models.JSONField(default=dict)  # {mood: share of analysed top tracks}
    energy_mean = models.FloatField(null=True, blank=True)
    moods_estimated = models.BooleanField(default=True)
    analysed_tracks = models.PositiveIntegerField(default=0)  # top tracks with an analysis
    mood_diversity = models.FloatField(null=True, blank=True)
    genre_diversity = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-snapshot_date", "time_range"]
        constraints = [
            # Re-running the day's ingest updates the row, never adds one.
            models.UniqueConstraint(
                fields=["user", "snapshot_date", "time_range"], name="snapshot_one_per_user_day_range"
            ),
            models.CheckConstraint(condition=Q(time_range__in=TimeRange.values), name="snapshot_range_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.snapshot_date} {self.time_range}"


class InsightKind(models.TextChoices):
    WELLNESS = "wellness", "Wellness"
    ROAST = "roast", "Roast"
    PRODUCTIVITY = "productivity", "Productivity"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly summary"


class InsightTone(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive"
    NEUTRAL = "neutral", "Neutral"
    PLAYFUL = "playful", "Playful"


class GeneratedInsight(QueuedRun):
    """An LLM-written insight from one snapshot: one row per (snapshot, kind, tone, prompt
    version), so the same request is served from here instead of calling the LLM again;
    "regenerate" rewrites the row in place (`generation` counts the writes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insights")
    snapshot = models.ForeignKey(ListeningSnapshot, on_delete=models.CASCADE, related_name="insights")
    kind = models.CharField(max_length=20, choices=InsightKind.choices)
    tone = models.CharField(max_length=20, choices=InsightTone.choices, default=InsightTone.NEUTRAL)
    prompt_version = models.CharField(max_length=40)
    headline = models.CharField(max_length=300, blank=True)
    paragraphs = models.JSONField(default=list)
    highlights = models.JSONField(default=list)
    provider = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=200, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    generation_ms = models.PositiveIntegerField(null=True, blank=True)
    generation = models.PositiveIntegerField(default=0)
    # A digest of the snapshot's figures the text was written from: the same request is served
    # from this row only while the snapshot still holds those figures (a re-ingest may change them).
    basis = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    # What the text was checked against and found in it (insights.services.insight_grounding):
    # {"facts_version", "facts", "names", "numbers", "provider", "attempts", "passed_over", ...};
    # shown under "Based on". Empty for a row written before the check.
    grounding = models.JSONField(default=dict, blank=True)

    # The lifecycle (core.runs): a row whose worker died is failed with a reason and queued again
    # by the listener's next request (writing costs an LLM call: it is not resumed unasked).
    run_task: ClassVar[str] = "insights.tasks.generate_insight"
    queue: ClassVar[Queue] = BULK
    run_label: ClassVar[str] = "insight"
    orphaned_reason: ClassVar[str] = "The worker writing this insight stopped (restart or crash). Ask again."
    enqueue_failed_reason: ClassVar[str] = (
        "The insight could not be queued (the task broker did not answer); try again."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "kind", "tone", "prompt_version"], name="insight_one_per_request"
            ),
            models.CheckConstraint(condition=Q(kind__in=InsightKind.values), name="insight_kind_valid"),
            models.CheckConstraint(condition=Q(tone__in=InsightTone.values), name="insight_tone_valid"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="insight_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.tone} insight of snapshot {self.snapshot_id}"
