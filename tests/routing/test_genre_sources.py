"""Pure filter core: the genre filter reads Spotify's artist genres, or the song analysis' genres
where Spotify gives none; the plays filter reads the listener's own play count."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.vocabulary import GENRES
from routing.filters import (
    ANALYSIS_GENRES,
    SPOTIFY_GENRES,
    Metadata,
    genre_matches,
    genre_source,
    validate_filters,
)
from tests.routing.filter_support import NOW, artist, cond, doc, track

ROCK = doc(cond("genre", "any_of", ["rock"]))
NOT_ROCK = doc(cond("genre", "none_of", ["rock"]))


def analysed(*genres: str) -> dict:
    return {Metadata.SONG_ANALYSIS: {"mood": "calm", "themes": (), "genres": tuple(genres)}}


def matches(document: dict, facts) -> bool:
    return validate_filters(document, mode=None).matches(facts, now=NOW)


# --- genre ----------------------------------------------------------------------------------------
def test_a_track_whose_artists_have_no_spotify_genres_matches_by_its_analysis_genres():
    facts = track(artists=(artist(genres=()),), extras=analysed("indie", "folk"))

    assert genre_source(facts) == (ANALYSIS_GENRES, ("indie", "folk"))
    assert matches(doc(cond("genre", "any_of", ["folk"])), facts)
    assert not matches(doc(cond("genre", "none_of", ["folk"])), facts)


def test_spotify_genres_win_over_the_analysis_when_any_credited_artist_has_some():
    facts = track(
        artists=(artist("a1", genres=()), artist("a2", genres=("dance pop",))),
        extras=analysed("rock"),
    )

    assert genre_source(facts) == (SPOTIFY_GENRES, ("dance pop",))
    assert not matches(ROCK, facts) and matches(NOT_ROCK, facts)
    assert matches(doc(cond("genre", "any_of", ["pop"])), facts)


@pytest.mark.parametrize(
    "extras",
    [{}, {Metadata.SONG_ANALYSIS: None}, analysed()],
    ids=["analyses-not-loaded", "not-analysed", "older-analysis-without-genres"],
)
def test_a_track_with_no_genres_anywhere_never_matches_any_of_and_never_blocks_none_of(extras):
    facts = track(artists=(artist(genres=()),), extras=extras)

    assert genre_source(facts) == (None, ())
    assert not matches(ROCK, facts) and matches(NOT_ROCK, facts)


def test_analysis_genres_follow_the_same_word_rule_as_spotify_genres():
    facts = track(artists=(artist(genres=()),), extras=analysed("hip hop"))

    assert matches(doc(cond("genre", "any_of", ["hip-hop"])), facts)
    assert not matches(doc(cond("genre", "any_of", ["hop hip"])), facts)


spotify_genres = st.lists(st.sampled_from(("indie rock", "dance pop", "jazz", "k-pop", "metal")), max_size=3)


@given(
    artist_genres=st.lists(spotify_genres, min_size=1, max_size=3),
    analysis_genres=st.lists(st.sampled_from(GENRES), max_size=3),
    term=st.sampled_from(("rock", "pop", "jazz", "hip hop", "folk", "metal")),
)
def test_a_genre_match_reads_exactly_one_source(artist_genres, analysis_genres, term):
    artists = tuple(artist(f"a{i}", genres=tuple(g)) for i, g in enumerate(artist_genres))
    facts = track(artists=artists, extras=analysed(*analysis_genres))
    on_spotify = [genre for genres in artist_genres for genre in genres]
    read = on_spotify or analysis_genres

    expected = any(genre_matches(term=term, genre=genre) for genre in read)

    assert matches(doc(cond("genre", "any_of", [term])), facts) is expected
    assert matches(doc(cond("genre", "none_of", [term])), facts) is not expected


# --- plays ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("plays", "expected"), [(0, False), (2, False), (3, True), (40, True)])
def test_played_at_least_counts_the_listeners_own_plays_bound_included(plays, expected):
    facts = track(extras={Metadata.PLAYS: plays})

    assert matches(doc(cond("plays", "at_least", 3)), facts) is expected


def test_a_track_without_a_loaded_play_count_counts_as_never_played():
    assert not matches(doc(cond("plays", "at_least", 1)), track())
