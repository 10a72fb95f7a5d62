"""The analysis fields (mood, themes, content rating): validation, matching, and the route
service loading analyses into the facts only when a filter needs them."""

from __future__ import annotations

import pytest

from analysis.services.analysis import PROMPT_VERSION
from library.models import PlaylistItem
from routing.filters import DEVELOPMENT, FilterValidationError, Metadata, needed_metadata, validate_filters
from routing.services.preview import preview_route
from tests.analysis.factories import SongAnalysisFactory
from tests.routing.filter_support import NOW, cond, doc, track
from tests.routing.route_support import imported_base


def analysed(**analysis) -> object:
    values = {"mood": "calm", "themes": ("lost love", "the sea"), "content_rating": "clean"}
    values.update(analysis)
    return track(extras={Metadata.SONG_ANALYSIS: values})


NOT_ANALYSED = track(extras={Metadata.SONG_ANALYSIS: None})
# Spotify marks it explicit; its analysis (a planted lyric, or older than Spotify's flag) says clean.
EXPLICIT_RATED_CLEAN = track(explicit=True, extras={Metadata.SONG_ANALYSIS: {"content_rating": "clean"}})


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        (cond("mood", "any_of", ["calm"]), analysed(), True),
        (cond("mood", "any_of", ["happy", "Calm"]), analysed(), True),
        (cond("mood", "any_of", ["happy"]), analysed(), False),
        (cond("mood", "any_of", ["calm"]), NOT_ANALYSED, False),
        (cond("mood", "any_of", ["calm"]), track(), False),  # analyses not loaded at all
        (cond("themes", "any_of", ["love"]), analysed(), True),
        (cond("themes", "any_of", ["LOVE"]), analysed(), True),
        (cond("themes", "any_of", ["Sea"]), analysed(), True),
        (cond("themes", "any_of", ["lovely"]), analysed(), False),
        (cond("themes", "any_of", ["war", "party"]), analysed(), False),
        (cond("themes", "any_of", ["love"]), NOT_ANALYSED, False),
        (cond("content_rating", "at_most", "clean"), analysed(), True),
        (cond("content_rating", "at_most", "mild"), analysed(content_rating="mild"), True),
        (cond("content_rating", "at_most", "mild"), analysed(content_rating="explicit"), False),
        (cond("content_rating", "at_most", "explicit"), analysed(content_rating="explicit"), True),
        (cond("content_rating", "at_most", "explicit"), NOT_ANALYSED, False),
        (cond("content_rating", "is", "mild"), analysed(content_rating="mild"), True),
        (cond("content_rating", "is", "mild"), analysed(), False),
        (cond("content_rating", "is", "Explicit"), analysed(content_rating="explicit"), True),
        (cond("content_rating", "at_most", "clean"), EXPLICIT_RATED_CLEAN, False),
        (cond("content_rating", "at_most", "mild"), EXPLICIT_RATED_CLEAN, False),
        (cond("content_rating", "at_most", "explicit"), EXPLICIT_RATED_CLEAN, True),
        (cond("content_rating", "is", "clean"), EXPLICIT_RATED_CLEAN, False),
        (cond("content_rating", "is", "explicit"), EXPLICIT_RATED_CLEAN, True),
        (cond("content_rating", "at_most", "clean"), track(explicit=True), False),  # analyses not loaded
    ],
)
def test_analysis_fields_match_as_documented(condition, facts, expected):
    assert validate_filters(doc(condition), mode=DEVELOPMENT).matches(facts, now=NOW) is expected


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (cond("mood", "any_of", ["grumpy"]), "is not a mood an analysis uses"),
        (cond("mood", "any_of", []), "Choose at least one mood"),
        (cond("mood", "any_of", "calm"), "Enter a list of moods"),
        (cond("themes", "any_of", ["   "]), "blank"),
        (cond("themes", "any_of", "love"), "Enter a list of themes"),
        (cond("content_rating", "at_most", "pg-13"), "Content rating must be one of: clean, mild, explicit"),
        (cond("content_rating", "is", 2), "Content rating must be one of"),
        (cond("content_rating", "between", "clean"), ""),
    ],
)
def test_analysis_fields_refuse_bad_values_with_a_message(condition, message):
    with pytest.raises(FilterValidationError) as refused:
        validate_filters(doc(condition), mode=DEVELOPMENT)
    assert message in str(refused.value.messages())


def test_the_analysis_fields_need_the_song_analysis_metadata_and_normalise_their_values():
    document = validate_filters(
        doc(cond("mood", "any_of", [" Calm "]), cond("content_rating", "at_most", " MILD ")), mode=DEVELOPMENT
    )
    assert needed_metadata(document.to_dict()) == {Metadata.SONG_ANALYSIS}
    assert [c["value"] for c in document.to_dict()["conditions"]] == [["calm"], "mild"]


@pytest.mark.django_db
def test_the_route_loads_analyses_for_the_base_and_unanalysed_tracks_do_not_match(sandbox, settings):
    _, base = imported_base(sandbox, settings)
    track_ids = list(
        PlaylistItem.objects.filter(playlist=base.playlist, kind="track")
        .order_by("position")
        .values_list("track_id", flat=True)
    )
    happy, sad = track_ids[0::3], track_ids[1::3]  # every third track has no analysis
    for track_id in happy:
        SongAnalysisFactory(track_id=track_id, mood="happy")
    for track_id in sad:
        SongAnalysisFactory(track_id=track_id, mood="sad")
    # Analysed only under an older prompt: it keeps counting until analysed again (a prompt
    # change must not empty mood filters); under both, the current prompt's answer wins.
    SongAnalysisFactory(track_id=track_ids[2], mood="happy", prompt_version="an-older-prompt")
    SongAnalysisFactory(track_id=track_ids[1], mood="happy", prompt_version="an-older-prompt")

    preview = preview_route(
        base=base, read_children=False, draft_filters=doc(cond("mood", "any_of", ["happy"]))
    )

    assert preview.draft.matching == len(happy) + 1 != len(track_ids)
    assert PROMPT_VERSION != "an-older-prompt"
