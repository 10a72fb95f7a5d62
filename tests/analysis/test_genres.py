"""Genres from the song analysis: asked for since song-analysis-v3, held to our vocabulary, stored."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.models import Lyrics, LyricsStatus, SongAnalysis
from analysis.selectors import analysis_facts
from analysis.services import analysis
from analysis.services.analysis import PROMPT_VERSION, Outcome, analyse_track, clean_genres
from analysis.vocabulary import GENRES, MAX_GENRES
from tests.analysis.factories import SongAnalysisFactory
from tests.analysis.support import INSTRUMENTAL, LYRICS, MISSING, catalog_track

OLDER_PROMPT = "song-analysis-v2"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [LYRICS, INSTRUMENTAL, MISSING])
def test_an_analysis_against_the_sandbox_stores_one_to_three_known_genres(analysis_llm, kind):
    track = catalog_track(kind)

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.ANALYSED

    stored = SongAnalysis.objects.get(track=track)
    assert stored.prompt_version == PROMPT_VERSION != OLDER_PROMPT
    assert 1 <= len(stored.genres) <= MAX_GENRES
    assert set(stored.genres) <= set(GENRES) and len(set(stored.genres)) == len(stored.genres)
    assert analysis_facts(track_ids=[track.pk])[track.pk]["genres"] == tuple(stored.genres)


@pytest.mark.django_db
def test_the_sandbox_answers_the_same_genres_for_the_same_song(analysis_llm):
    track = catalog_track(LYRICS, nth=1)
    analyse_track(track_id=track.pk, worker="w1")
    first = SongAnalysis.objects.get(track=track).genres
    SongAnalysis.objects.filter(track=track).delete()

    analyse_track(track_id=track.pk, worker="w2")

    assert SongAnalysis.objects.get(track=track).genres == first


@pytest.mark.django_db
def test_an_analysis_under_an_older_prompt_keeps_what_it_has_and_a_new_one_comes_beside_it(analysis_llm):
    track = catalog_track(LYRICS, nth=2)
    older = SongAnalysisFactory(track=track, prompt_version=OLDER_PROMPT, mood="sad", genres=[])

    assert analyse_track(track_id=track.pk, worker="w1") == Outcome.ANALYSED

    older.refresh_from_db()
    assert (older.mood, older.genres) == ("sad", [])
    assert SongAnalysis.objects.get(track=track, prompt_version=PROMPT_VERSION).genres


def test_unknown_blank_and_repeated_genres_are_dropped_and_the_rest_kept_in_order():
    raw = ["  Hip   Hop ", "vaporwave", "", "hip hop", "JAZZ", 7, "rock", "folk"]

    assert clean_genres(raw) == ["hip hop", "jazz", "rock"]
    assert clean_genres(None) == [] and clean_genres("rock") == []


def test_an_answer_whose_genres_are_all_unknown_is_still_a_valid_analysis_without_genres():
    answer = {
        "mood": "calm", "energy": 0.2, "themes": ["sea"], "genres": ["sea shanty"],
        "flags": {"profanity": False, "violence": False, "sexual": False, "drugs": False},
        "content_rating": "clean", "language": "en", "summary": "The sea.", "confidence": 0.5,
    }  # fmt: skip

    verdict = analysis.validate_answer(
        answer, lyrics=Lyrics(status=LyricsStatus.FOUND), spotify_explicit=False
    )

    assert verdict.genres == [] and verdict.mood == "calm"


@given(st.lists(st.one_of(st.sampled_from(GENRES), st.text(max_size=20)), max_size=12))
def test_cleaned_genres_are_always_few_distinct_and_from_the_vocabulary(raw):
    cleaned = clean_genres(raw)

    assert len(cleaned) <= MAX_GENRES and len(set(cleaned)) == len(cleaned)
    assert set(cleaned) <= set(GENRES)


def test_the_schema_asks_for_genres_from_the_vocabulary_and_the_prompt_lists_them():
    schema = analysis.ANALYSIS_SCHEMA
    example = json.loads(analysis.EXAMPLE_ANSWER)

    assert "genres" in schema["required"]
    assert all(genre in analysis.SYSTEM_PROMPT for genre in GENRES)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "genres": ["vaporwave"]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**example, "genres": list(GENRES[:4])}, schema)
