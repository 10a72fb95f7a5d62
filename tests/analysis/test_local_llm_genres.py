"""The real song-analysis prompt and schema (genres included) against the local SmolLM2 fallback.

llama.cpp turns the schema into a grammar, so the genres come back from our vocabulary; the
numbers it cannot hold to a range are what validate_answer and the router's check are for.
"""

from __future__ import annotations

import jsonschema
import pytest

from analysis.models import Lyrics, LyricsStatus
from analysis.services import analysis
from analysis.vocabulary import GENRES, MAX_GENRES
from llm.models import JsonMode, ProviderKind
from llm.services import complete_json
from tests.library.factories import TrackFactory
from tests.llm.factories import ProviderFactory

pytestmark = [pytest.mark.local_llm, pytest.mark.django_db]


def test_the_local_model_answers_the_analysis_prompt_with_valid_genres(local_llm):
    ProviderFactory(
        name="local",
        kind=ProviderKind.OPENAI,
        json_mode=JsonMode.JSON_OBJECT_SCHEMA,
        base_url=local_llm.openai_base_url,
        model=local_llm.model,
        priority=20,
        read_timeout=120.0,  # one completion at a time, on 2 cores shared with the test run
        max_tokens=400,
    )
    track = TrackFactory(name="Here Comes the Sun")
    lyrics = Lyrics(track=track, status=LyricsStatus.NOT_FOUND)

    result = complete_json(
        messages=analysis.build_messages(track=track, lyrics=lyrics),
        schema=analysis.ANALYSIS_SCHEMA,
        schema_name=analysis.SCHEMA_NAME,
        purpose=analysis.PURPOSE,
    )
    verdict = analysis.validate_answer(result.data, lyrics=lyrics, spotify_explicit=track.explicit)

    jsonschema.validate(result.data, analysis.ANALYSIS_SCHEMA)
    assert 1 <= len(verdict.genres) <= MAX_GENRES and set(verdict.genres) <= set(GENRES)
