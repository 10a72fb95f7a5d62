"""Factories for the insights app."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from core.runs import RunStatus
from insights.models import (
    GapReason,
    GeneratedInsight,
    HistoryGap,
    HistoryState,
    InsightKind,
    InsightTone,
    ListeningSnapshot,
    Play,
    TimeRange,
)
from insights.services.insight_writer import PROMPT_VERSION as INSIGHT_PROMPT_VERSION
from insights.services.snapshots import snapshot_basis
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, TrackFactory


class PlayFactory(DjangoModelFactory):
    """A play of a new track by a new user, an hour ago; `played_at=...` to place it."""

    class Meta:
        model = Play

    user = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory)
    played_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class HistoryStateFactory(DjangoModelFactory):
    """Polling that started a day ago and last succeeded an hour ago."""

    class Meta:
        model = HistoryState

    user = factory.SubFactory(UserFactory)
    first_polled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    last_polled_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    last_attempt_at = factory.SelfAttribute("last_polled_at")


class HistoryGapFactory(DjangoModelFactory):
    """An overflow gap from three hours ago to two; `ends_at=None, reason=...DISCONNECTED` for an open one."""

    class Meta:
        model = HistoryGap

    user = factory.SubFactory(UserFactory)
    reason = GapReason.OVERFLOW
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=3))
    ends_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))


class ListeningSnapshotFactory(DjangoModelFactory):
    """Today's short-term snapshot with a few figures; any field can be given."""

    class Meta:
        model = ListeningSnapshot

    user = factory.SubFactory(UserFactory)
    snapshot_date = factory.LazyFunction(timezone.localdate)
    time_range = TimeRange.SHORT
    genre_distribution = factory.LazyFunction(lambda: {"indie pop": 0.5, "shoegaze": 0.5})
    decade_distribution = factory.LazyFunction(lambda: {"1990s": 1.0})
    explicit_share = 0.25
    play_count = 2
    hour_of_day = factory.LazyFunction(lambda: [0] * 22 + [1, 1])
    weekday_hours = factory.LazyFunction(lambda: [[0] * 24 for _ in range(7)])
    mood_distribution = factory.LazyFunction(lambda: {"calm": 1.0})
    energy_mean = 0.3
    analysed_tracks = 1
    mood_diversity = 0.0
    genre_diversity = 1.0
    # As an ingest of plays only of Spotify's top artists would count them; a test whose
    # listener played others gives its own.
    played_artists = factory.LazyAttribute(
        lambda o: [
            {"id": e["id"], "plays": e["plays"]}
            for e in sorted(getattr(o, "top_artists", None) or [], key=lambda e: (-e.get("plays", 0), e.get("rank", 0)))
            if isinstance(e, dict) and e.get("plays")
        ]
    )


# A listener's four weeks: plays lean to the evening and the weekend, moods calm and melancholic.
_HOURS = [6, 3, 1, 0, 0, 0, 1, 4, 9, 12, 14, 13, 15, 12, 11, 12, 14, 18, 24, 29, 33, 36, 31, 18]
_WEEKDAY_SCALE = (0.8, 0.8, 0.9, 0.9, 1.1, 1.3, 1.2)  # Monday first
_ARTIST_PLAYS = (41, 27, 19, 8, 5)


class RichListeningSnapshotFactory(ListeningSnapshotFactory):
    """A realistic short-term snapshot whose top artists and tracks are in the catalog (named
    "Artist 1".. and "Song 1".. by default; `catalog=False` leaves the ids unknown)."""

    class Meta:
        skip_postgeneration_save = True  # the hook writes catalog rows, not the snapshot

    # Plays as an ingest counts them, most for Spotify's #1 (a test gives its own to tell them apart).
    top_artists = factory.Sequence(
        lambda n: [
            {"id": f"rich{n:04d}artist{rank}", "rank": rank, "plays": plays}
            for rank, plays in enumerate(_ARTIST_PLAYS, 1)
        ]
    )
    top_tracks = factory.Sequence(lambda n: [{"id": f"rich{n:04d}track{r}", "rank": r} for r in range(1, 6)])
    genre_distribution = factory.LazyFunction(
        lambda: {"indie folk": 0.32, "dream pop": 0.24, "shoegaze": 0.14, "art pop": 0.12, "post-rock": 0.1,
                 "ambient": 0.08}  # fmt: skip
    )
    decade_distribution = factory.LazyFunction(lambda: {"2010s": 0.46, "2020s": 0.34, "1990s": 0.2})
    explicit_share = 0.12
    play_count = sum(_HOURS)
    hour_of_day = factory.LazyFunction(lambda: list(_HOURS))
    weekday_hours = factory.LazyFunction(lambda: [[round(c * k / 7) for c in _HOURS] for k in _WEEKDAY_SCALE])
    mood_distribution = factory.LazyFunction(
        lambda: {"calm": 0.34, "melancholic": 0.22, "hopeful": 0.16, "nostalgic": 0.14, "energetic": 0.14}
    )
    energy_mean = 0.41
    analysed_tracks = 38
    mood_diversity = 0.83
    genre_diversity = 0.91

    @factory.post_generation
    def catalog(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for entry in self.top_artists:
            ArtistFactory(spotify_id=entry["id"], name=f"Artist {entry['rank']}")
        for entry in self.top_tracks:
            TrackFactory(spotify_id=entry["id"], name=f"Song {entry['rank']}", artist__name=f"Singer {entry['rank']}")


class GeneratedInsightFactory(DjangoModelFactory):
    """A written wellness insight (neutral) of a rich snapshot, under the current prompt version."""

    class Meta:
        model = GeneratedInsight

    snapshot = factory.SubFactory(RichListeningSnapshotFactory)
    user = factory.LazyAttribute(lambda o: o.snapshot.user)
    kind = InsightKind.WELLNESS
    tone = InsightTone.NEUTRAL
    prompt_version = INSIGHT_PROMPT_VERSION
    status = RunStatus.SUCCEEDED
    headline = "Calm evenings, restless Fridays"
    paragraphs = factory.LazyFunction(
        lambda: ["Most of your plays land after 18:00 and lean calm.", "Fridays run livelier than the rest."]
    )
    highlights = factory.LazyFunction(lambda: [{"label": "Top mood", "value": "calm (34%)"}])
    provider = "primary"
    model = "llama-3.1-70b-instruct"
    prompt_tokens = 420
    completion_tokens = 160
    generation_ms = 900
    generation = 1
    generated_at = factory.LazyFunction(timezone.now)
    # Written from the snapshot's current figures (otherwise a request would call it stale).
    basis = factory.LazyAttribute(lambda o: snapshot_basis(o.snapshot))
