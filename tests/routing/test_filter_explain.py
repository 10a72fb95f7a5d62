"""Why a filter document takes a track: the explanation's verdict is routing's verdict, and its
words name the conditions that decided."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.filters import Metadata, explain, validate_filters
from routing.filters.explain import EVERY_TRACK
from tests.routing.filter_support import NOW, artist, cond, doc, track

GENRES = ("indie pop", "indie rock", "jazz", "hip hop", "dance pop", "krautrock")

conditions = st.one_of(
    st.builds(lambda v: cond("genre", "any_of", v), st.lists(st.sampled_from(("rock", "pop", "jazz", "indie")), min_size=1, max_size=2, unique=True)),
    st.builds(lambda v: cond("genre", "none_of", v), st.lists(st.sampled_from(("rock", "hip hop")), min_size=1, max_size=2, unique=True)),
    st.builds(
        lambda low, high: cond("release_year", "between", {"min": low, "max": high}),
        st.one_of(st.none(), st.integers(1990, 2005)),
        st.one_of(st.none(), st.integers(2005, 2025)),
    ).filter(lambda c: c["value"]["min"] is not None or c["value"]["max"] is not None),
    st.builds(lambda v: cond("duration", "between", {"min": v, "max": None}), st.integers(0, 400)),
    st.builds(lambda v: cond("explicit", "is", v), st.booleans()),
    st.builds(lambda v: cond("artist", "in", v), st.lists(st.sampled_from(("artistA", "artistB")), min_size=1, max_size=2, unique=True)),
    st.builds(lambda v: cond("artist", "not_in", v), st.lists(st.sampled_from(("artistA", "artistB")), min_size=1, max_size=1)),
    st.builds(lambda v: cond("keyword", "contains", v), st.sampled_from(("live", "song", "band"))),
    st.builds(lambda v: cond("added_within_days", "within", v), st.integers(1, 60)),
    st.builds(lambda v: cond("plays", "at_least", v), st.integers(1, 5)),
    st.builds(lambda v: cond("mood", "any_of", v), st.lists(st.sampled_from(("calm", "happy", "sad")), min_size=1, max_size=2, unique=True)),
    st.builds(lambda v: cond("themes", "any_of", v), st.lists(st.sampled_from(("love", "night")), min_size=1, max_size=2, unique=True)),
    st.builds(lambda op, v: cond("content_rating", op, v), st.sampled_from(("at_most", "is")), st.sampled_from(("clean", "mild", "explicit"))),
)
matches = st.sampled_from(("all", "any"))
groups = st.builds(lambda m, items: {"match": m, "conditions": items}, matches, st.lists(conditions, min_size=1, max_size=3))
documents = st.builds(
    lambda m, items: doc(*items, match=m), matches, st.lists(st.one_of(conditions, groups), min_size=1, max_size=4)
)
analyses = st.one_of(
    st.none(),
    st.builds(
        lambda mood, themes, rating, genres: {"mood": mood, "themes": themes, "content_rating": rating, "genres": genres},
        st.sampled_from(("calm", "happy", "sad", "angry")),
        st.lists(st.sampled_from(("love", "lost love", "night", "home")), max_size=2),
        st.sampled_from(("clean", "mild", "explicit")),
        st.lists(st.sampled_from(GENRES), max_size=2),
    ),
)
tracks = st.builds(
    lambda name, ids, genres, year, seconds, explicit, added, plays, analysis: track(
        name=name,
        artists=tuple(artist(spotify_id=i, name=f"Band {i}", genres=tuple(genres)) for i in ids),
        release_year=year,
        duration_ms=seconds * 1000 + 500,
        explicit=explicit,
        added_at=None if added is None else NOW - timedelta(days=added),
        extras={Metadata.SONG_ANALYSIS: analysis, Metadata.PLAYS: plays},
    ),
    st.sampled_from(("A Song", "Live at Home", "Intro")),
    st.lists(st.sampled_from(("artistA", "artistB", "artistC")), max_size=2, unique=True),
    st.lists(st.sampled_from(GENRES), max_size=2),
    st.one_of(st.none(), st.integers(1980, 2026)),
    st.integers(0, 600),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 90)),
    st.integers(0, 6),
    analyses,
)


@settings(max_examples=400, deadline=None)
@given(document=documents, facts=tracks)
def test_an_explanation_always_agrees_with_the_routing_verdict(document, facts):
    parsed = validate_filters(document, mode=None)

    explanation = explain(parsed, facts, now=NOW)

    assert explanation.matched == parsed.matches(facts, now=NOW)
    assert explanation.reasons, "a document with conditions always names what decided"
    # The named conditions are the ones that took it, or the ones that refused it.
    assert all(reason.matched == explanation.matched for reason in explanation.reasons)


def test_a_taken_track_names_every_condition_of_an_all_document_with_what_the_track_has():
    parsed = validate_filters(
        doc(cond("genre", "any_of", ["indie"]), cond("release_year", "between", {"min": 2010, "max": 2019})),
        mode=None,
    )
    facts = track(
        artists=(artist(genres=()),),
        release_year=2014,
        extras={Metadata.SONG_ANALYSIS: {"mood": "calm", "themes": (), "genres": ("indie",)}},
    )

    explanation = explain(parsed, facts, now=NOW)

    assert explanation.matched
    assert explanation.sentence == (
        "Genre is any of “indie”: its genres include “indie” (from the song analysis). "
        "Release year is between 2010 and 2019: released in 2014."
    )


def test_a_refused_track_names_the_first_condition_that_failed_and_why():
    parsed = validate_filters(
        doc(cond("release_year", "between", {"min": 2000, "max": None}), cond("explicit", "is", False)),
        mode=None,
    )

    explanation = explain(parsed, track(explicit=True, release_year=2001), now=NOW)

    assert not explanation.matched
    assert explanation.sentence == "The track is not explicit — not met: Spotify marks the track explicit."


def test_a_track_without_an_analysis_is_told_mood_filters_cannot_match_it():
    parsed = validate_filters(doc(cond("mood", "any_of", ["happy"])), mode=None)

    explanation = explain(parsed, track(extras={Metadata.SONG_ANALYSIS: None}), now=NOW)

    assert not explanation.matched
    assert "no analysis yet for this track, so mood conditions cannot match" in explanation.sentence


def test_an_any_document_names_the_first_condition_that_took_the_track_and_every_one_that_refused_it():
    parsed = validate_filters(
        doc(cond("keyword", "contains", "live"), cond("plays", "at_least", 2), match="any"), mode=None
    )

    taken = explain(parsed, track(name="Live", extras={Metadata.PLAYS: 5}), now=NOW)
    refused = explain(parsed, track(name="Intro", extras={Metadata.PLAYS: 0}), now=NOW)

    assert [r.condition for r in taken.reasons] == ["keyword contains “live”"]
    assert [r.condition for r in refused.reasons] == ["keyword contains “live”", "played at least 2 times"]
    assert "you never played it" in refused.sentence


def test_an_artist_condition_names_the_artists_and_a_document_without_conditions_takes_everything():
    parsed = validate_filters(doc(cond("artist", "in", ["artistA"])), mode=None)

    explanation = explain(parsed, track(), now=NOW, artist_names={"artistA": "Some Band"})

    assert explanation.sentence == "Artist is any of “Some Band”: by Some Band."
    assert explain(validate_filters(doc(), mode=None), track(), now=NOW).sentence == EVERY_TRACK
