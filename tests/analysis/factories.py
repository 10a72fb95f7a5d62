"""Factories for the analysis app."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from analysis.models import Lyrics, LyricsStatus, SongAnalysis
from analysis.services.analysis import PROMPT_VERSION
from tests.library.factories import TrackFactory


class LyricsFactory(DjangoModelFactory):
    class Meta:
        model = Lyrics

    track = factory.SubFactory(TrackFactory)
    status = LyricsStatus.FOUND
    plain = "A line\nAnother line"
    source = "lrclib:1"
    hash = "0" * 64
    fetched_at = factory.LazyFunction(timezone.now)


class SongAnalysisFactory(DjangoModelFactory):
    """A calm, clean analysis under the current prompt version; flags via `flag_violence=True`."""

    class Meta:
        model = SongAnalysis

    track = factory.SubFactory(TrackFactory)
    prompt_version = PROMPT_VERSION
    mood = "calm"
    energy = 0.3
    themes = factory.LazyFunction(lambda: ["night", "the sea"])
    genres = factory.LazyFunction(lambda: ["folk"])
    content_rating = "clean"
    language = "en"
    summary = "A quiet song about the sea at night."
    confidence = 0.8
    provider = "primary"
    model = "llama-3.1-70b-instruct"
    lyrics_status = LyricsStatus.FOUND
    latency_ms = 120
    prompt_tokens = 300
    completion_tokens = 80
