"""Analysing a track against the LLM sandbox: what is stored, dedup, claims and the rules."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema
import pytest
from django.db import IntegrityError
from django.utils import timezone

from analysis.models import AnalysisClaim, Lyrics, LyricsStatus, SongAnalysis
from analysis.services import analysis
from analysis.services.analysis import PROMPT_VERSION, Outcome, analyse_track
from analysis.services.batches import run_batch
from analysis.services.queueing import queue_analysis
from analysis.vocabulary import CONTENT_RATINGS, MOODS
from tests.analysis.factories import SongAnalysisFactory
from tests.analysis.support import INSTRUMENTAL, LYRICS, MISSING, catalog_track, in_playlist_of
from tests.accounts.factories import UserFactory
from tests.fixtures.llm_sandbox import PRIMARY_MODEL

pytestmark = pytest.mark.django_db


def test_an_analysis_is_stored_with_provider_model_prompt_version_lyrics_hash_latency_and_tokens(
    analysis_llm,
):
    track = catalog_track(LYRICS)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.ANALYSED

    stored = SongAnalysis.objects.get(track=track)
    lyrics = Lyrics.objects.get(track=track)
    assert (stored.provider, stored.model, stored.prompt_version) == (
        "primary",
        PRIMARY_MODEL,
        PROMPT_VERSION,
    )
    assert stored.lyrics_hash == lyrics.hash != ""
    assert stored.lyrics_status == LyricsStatus.FOUND
    assert stored.latency_ms >= 0 and stored.prompt_tokens > 0 and stored.completion_tokens > 0
    assert stored.mood in MOODS and stored.content_rating in CONTENT_RATINGS
    assert 0 <= stored.energy <= 1 and 0 <= stored.confidence <= 1
    assert stored.summary and "\n" not in stored.summary
    assert not AnalysisClaim.objects.exists()


@pytest.mark.parametrize("kind", [INSTRUMENTAL, MISSING])
def test_songs_without_lyrics_are_analysed_from_their_metadata(analysis_llm, kind):
    track = catalog_track(kind)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.ANALYSED

    stored = SongAnalysis.objects.get(track=track)
    assert stored.lyrics_hash == ""
    if kind == INSTRUMENTAL:
        assert stored.language == "zxx"


def test_the_stored_analyses_of_the_llm_sandbox_say_only_what_the_lyrics_and_spotify_support(analysis_llm):
    # The demo's answers: its model reads the prompt (sandbox.llm.song_analysis), so what is stored
    # and shown is true of the song; guesses are marked as such (SongAnalysis.guess).
    explicit, unknown = catalog_track(LYRICS, explicit=True), catalog_track(MISSING, explicit=True)

    for track in (explicit, unknown):
        assert analyse_track(track_id=track.pk, worker="w1") == Outcome.ANALYSED

    read = SongAnalysis.objects.get(track=explicit)
    assert read.flag_profanity and read.content_rating == "explicit" and read.guess == ""
    assert len(read.language) == 2 and read.language.isalpha() and read.confidence >= 0.8 and read.genres
    guessed = SongAnalysis.objects.get(track=unknown)
    assert guessed.guess == "no_lyrics" and guessed.confidence <= 0.4
    assert not guessed.flagged and guessed.themes == [] and guessed.content_rating == "explicit"


def test_two_listeners_with_the_same_track_get_one_analysis(analysis_llm):
    shared = catalog_track(LYRICS)
    first, second = UserFactory(), UserFactory()
    in_playlist_of(first, shared)
    in_playlist_of(second, shared)

    batches = queue_analysis(user_id=first.pk) + queue_analysis(user_id=second.pk)
    for batch in batches:
        run_batch(batch_id=batch.pk)

    assert SongAnalysis.objects.filter(track=shared).count() == 1
    assert analysis_llm.sandbox.counters()["by_route"].get("primary POST /v1/chat/completions") == 1


def test_a_track_already_analysed_is_skipped_without_a_call(analysis_llm):
    track = catalog_track(LYRICS)
    SongAnalysisFactory(track=track)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.SKIPPED
    assert analysis_llm.sandbox.requests_to("primary") == 0


def test_the_database_refuses_a_second_analysis_for_the_same_prompt_version():
    existing = SongAnalysisFactory()
    with pytest.raises(IntegrityError):
        SongAnalysisFactory(track=existing.track)


def test_a_track_claimed_by_another_worker_is_left_to_it(analysis_llm):
    track = catalog_track(LYRICS)
    assert analysis.claim_track(track_id=track.pk, worker="other")

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.SKIPPED
    assert not SongAnalysis.objects.exists()
    assert AnalysisClaim.objects.get().claimed_by == "other"


def test_a_stale_claim_is_taken_over():
    track = catalog_track(LYRICS)
    AnalysisClaim.objects.create(
        track=track,
        prompt_version=PROMPT_VERSION,
        claimed_by="dead",
        claimed_at=timezone.now() - analysis.CLAIM_LIFETIME - timedelta(seconds=1),
    )

    assert analysis.claim_track(track_id=track.pk, worker="w1")
    assert not analysis.claim_track(track_id=track.pk, worker="w2")


def test_lyrics_that_could_not_be_fetched_defer_the_track_without_a_call(analysis_llm):
    analysis_llm.sandbox.fault(provider="lrclib", kind="down")
    track = catalog_track(LYRICS)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.DEFERRED
    assert analysis_llm.sandbox.requests_to("primary") == 0
    assert not AnalysisClaim.objects.exists()


def test_a_request_every_provider_refuses_fails_that_track_only(analysis_llm):
    analysis_llm.sandbox.fault(provider="primary", kind="status", status=400)
    track = catalog_track(LYRICS)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.FAILED
    assert not SongAnalysis.objects.exists() and not AnalysisClaim.objects.exists()


ANSWER = {
    "mood": "dark",
    "energy": 0.7,
    "themes": ["  Heart  Break ", "heart break", "Night"],
    "flags": {"profanity": False, "violence": True, "sexual": False, "drugs": False},
    "content_rating": "clean",
    "language": "en",
    "summary": "A song\nabout   loss.",
    "confidence": 0.9,
}


def test_the_rules_beyond_the_schema_normalise_the_answer():
    found = Lyrics(status=LyricsStatus.FOUND)
    verdict = analysis.validate_answer(ANSWER, lyrics=found, spotify_explicit=False)

    assert verdict.themes == ["heart break", "night"]
    assert verdict.summary == "A song about loss."
    assert verdict.content_rating == "mild"  # something is flagged, so not clean
    instrumental = analysis.validate_answer(
        ANSWER, lyrics=Lyrics(status=LyricsStatus.INSTRUMENTAL), spotify_explicit=False
    )
    assert instrumental.language == "zxx"


def test_the_example_answer_in_the_prompt_is_itself_a_valid_analysis():
    # Small models copy the example's shape: it must never drift from the schema.
    example = json.loads(analysis.EXAMPLE_ANSWER)

    jsonschema.validate(example, analysis.ANALYSIS_SCHEMA)
    assert analysis.EXAMPLE_ANSWER in analysis.SYSTEM_PROMPT
