"""Song analyses and what they are built from.

A track's analysis is shared by every listener who has the track: one row per (track,
prompt version), which the database guarantees. Lyrics are cached per track. A batch is
the job record of one queued group of tracks, so progress and failures can be seen.

The tables keep the names they had when these models lived in `insights`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from analysis.vocabulary import CONTENT_RATINGS, MOODS
from core.queues import BULK, Queue
from core.runs import QueuedRun, RunStatus
from library.models import Track


class LyricsStatus(models.TextChoices):
    FOUND = "found", "Found"
    INSTRUMENTAL = "instrumental", "Instrumental"
    NOT_FOUND = "not_found", "Not found"
    # LRCLIB could not be reached or answered nonsense: fetched again next time.
    ERROR = "error", "Could not fetch"


class Lyrics(models.Model):
    track = models.OneToOneField(Track, primary_key=True, on_delete=models.CASCADE, related_name="lyrics")
    status = models.CharField(max_length=20, choices=LyricsStatus.choices)
    plain = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)  # e.g. "lrclib:1234"
    # sha256 of `plain`; empty when there is no text. Stored on analyses to tell which text they read.
    hash = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        db_table = "insights_lyrics"
        verbose_name_plural = "lyrics"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LyricsStatus.values), name="lyrics_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.track_id}: {self.status}"


# Below this confidence an analysis is shown as a guess, not as a reading of the song: the prompt
# asks the model to lower its confidence when it has no lyrics, and a model unsure what lyrics
# mean says so the same way. Its flags are then not counted as the song's.
CONFIDENT_FROM = 0.5


class Guess(models.TextChoices):
    """Why an analysis is a guess rather than a reading of the lyrics (SongAnalysis.guess)."""

    INSTRUMENTAL = "instrumental", "Instrumental: the mood is guessed from the genre and the artist"
    NO_LYRICS = "no_lyrics", "Guessed from the genre (no lyrics found)"
    LOW_CONFIDENCE = "low_confidence", "Low confidence: the model was unsure, so take it as a guess"


# Built from the shared vocabulary so the schema, the filters and the database agree.
MOOD_CHOICES = [(mood, mood.capitalize()) for mood in MOODS]
RATING_CHOICES = [(rating, rating.capitalize()) for rating in CONTENT_RATINGS]


class SongAnalysis(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="analyses")
    prompt_version = models.CharField(max_length=40)
    mood = models.CharField(max_length=20, choices=MOOD_CHOICES)
    energy = models.FloatField()
    themes = models.JSONField(default=list)
    # Broad genres (analysis.vocabulary.GENRES) since song-analysis-v3; empty in older analyses.
    genres = models.JSONField(default=list, blank=True)
    flag_profanity = models.BooleanField(default=False)
    flag_violence = models.BooleanField(default=False)
    flag_sexual = models.BooleanField(default=False)
    flag_drugs = models.BooleanField(default=False)
    content_rating = models.CharField(max_length=10, choices=RATING_CHOICES)
    language = models.CharField(max_length=8, blank=True)
    summary = models.CharField(max_length=300)
    confidence = models.FloatField()
    provider = models.CharField(max_length=64)
    model = models.CharField(max_length=200)
    lyrics_status = models.CharField(max_length=20, choices=LyricsStatus.choices)
    lyrics_hash = models.CharField(max_length=64, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "insights_songanalysis"
        verbose_name_plural = "song analyses"
        constraints = [
            models.UniqueConstraint(fields=["track", "prompt_version"], name="song_analysis_one_per_prompt"),
            models.CheckConstraint(
                condition=Q(energy__gte=0, energy__lte=1), name="song_analysis_energy_0_1"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="song_analysis_confidence_0_1"
            ),
            models.CheckConstraint(condition=Q(mood__in=MOODS), name="song_analysis_mood_known"),
            models.CheckConstraint(
                condition=Q(content_rating__in=CONTENT_RATINGS), name="song_analysis_rating_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} ({self.prompt_version})"

    @property
    def flags(self) -> dict[str, bool]:
        return {
            "profanity": self.flag_profanity,
            "violence": self.flag_violence,
            "sexual": self.flag_sexual,
            "drugs": self.flag_drugs,
        }

    @property
    def flagged(self) -> bool:
        return any(self.flags.values())

    @property
    def guess(self) -> str:
        """A Guess when the analysis did not read lyrics, or read them unsure; "" when it read them
        with confidence. From what the analysis itself read (its lyrics_status), not today's lyrics."""
        if self.lyrics_status == LyricsStatus.INSTRUMENTAL:
            return Guess.INSTRUMENTAL
        if self.lyrics_status != LyricsStatus.FOUND:
            return Guess.NO_LYRICS
        if self.confidence < CONFIDENT_FROM:
            return Guess.LOW_CONFIDENCE
        return ""

    @property
    def flagged_from_lyrics(self) -> bool:
        """Flags read from lyrics with confidence: what the pages count as "flagged"."""
        return self.flagged and not self.guess


class AnalysisClaim(models.Model):
    """A worker analysing a track right now. The unique row is the claim: a second worker's
    insert fails, so two workers never pay for the same analysis. Deleted when the analysis
    is stored or given up; one older than the claim lifetime is taken over (its worker died)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    prompt_version = models.CharField(max_length=40)
    claimed_by = models.CharField(max_length=200)
    claimed_at = models.DateTimeField()

    class Meta:
        db_table = "insights_analysisclaim"
        constraints = [
            models.UniqueConstraint(fields=["track", "prompt_version"], name="analysis_claim_one_per_prompt"),
        ]


class AnalysisBatch(QueuedRun):
    """One queued group of tracks to analyse, queued after an import of `user`'s library.

    Counters: `analysed` stored by this batch; `skipped` already analysed or being analysed
    by another worker; `deferred` left for a later import (lyrics could not be fetched);
    `failed` refused by every provider or answered unusably.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prompt_version = models.CharField(max_length=40)
    tracks = models.ManyToManyField(Track, through="AnalysisBatchTrack", related_name="+")
    track_total = models.PositiveIntegerField(default=0)
    analysed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    deferred = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0)  # claims, so a re-queued batch shows how often it ran
    # The position of the first track not yet counted: a batch that is resumed (providers
    # were down, or its worker died) goes on from there instead of counting tracks twice.
    next_position = models.PositiveIntegerField(default=0)

    # The lifecycle (core.runs): analysing a song is repeatable (the track claim and the unique
    # analysis row keep it once), so a batch whose worker died is queued again and goes on
    # from next_position instead of failing.
    run_task: ClassVar[str] = "analysis.tasks.analyse_batch"
    queue: ClassVar[Queue] = BULK
    run_label: ClassVar[str] = "analysis batch"
    resume_orphans: ClassVar[bool] = True
    resumed_note: ClassVar[str] = "Resumed: the worker analysing this batch stopped (restart or crash)."
    enqueue_failed_reason: ClassVar[str] = (
        "The batch could not be queued (the task broker did not answer); the next import retries."
    )
    # Created held and handed to the broker a few per listener at a time (services.feeding):
    # a held batch is waiting its turn, not lost. Handed-over ones wait behind every listener's
    # share of the bulk queue, so an hour, not the default quarter, before one counts as lost.
    held_until_fed: ClassVar[bool] = True
    # A batch is claimed once per turn it gets (it gives its worker to other listeners between
    # songs): its task carries the claim count, so an older turn's task claims nothing.
    turn_field: ClassVar[str] = "runs"
    lost_after: ClassVar[timedelta] = timedelta(hours=1)

    class Meta:
        db_table = "insights_analysisbatch"
        verbose_name_plural = "analysis batches"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="analysis_batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Analysis batch #{self.pk} ({self.status})"

    @classmethod
    def released(cls, *, claimed_by: str) -> None:
        # The dead worker never releases its track claims; the resumed batch needs that song back.
        AnalysisClaim.objects.filter(claimed_by=claimed_by).delete()


class AnalysisBatchTrack(models.Model):
    batch = models.ForeignKey(AnalysisBatch, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        db_table = "insights_analysisbatchtrack"
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "track"], name="analysis_batch_track_unique"),
        ]
