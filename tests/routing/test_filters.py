"""What each filter field and operator matches, how conditions combine, and what they need."""

from __future__ import annotations

from datetime import timedelta

import pytest

from routing.filters import (
    DEVELOPMENT,
    EXTENDED,
    REGISTRY,
    FieldSpec,
    FilterValidationError,
    Metadata,
    Operator,
    Widget,
    WidgetType,
    available_fields,
    compile_filters,
    describe_fields,
    genre_matches,
    needed_metadata,
    validate_filters,
)
from routing.filters.values import term_list
from tests.routing.filter_support import NOW, artist, cond, doc, track


def matches(condition: dict, facts, *, mode: str = EXTENDED) -> bool:
    return validate_filters(doc(condition), mode=mode).matches(facts, now=NOW)


# --- genre ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("term", "genre", "expected"),
    [
        ("rock", "rock", True),
        ("rock", "indie rock", True),
        ("rock", "rock and roll", True),
        ("rock", "post-rock", True),
        ("rock", "krautrock", False),
        ("rock", "rockabilly", False),
        ("ROCK", "Indie Rock", True),
        ("hip hop", "hip-hop", True),
        ("hip hop", "southern hip hop", True),
        ("hip-hop", "hip hop", True),
        ("indie rock", "indie", False),
        ("indie rock", "rock indie", False),
        ("indie rock", "australian indie rock", True),
        ("r&b", "alternative r&b", True),
        ("electro", "électro", True),
        ("pop", "k-pop", True),
    ],
)
def test_a_genre_term_matches_whole_words_of_a_genre_ignoring_case_and_accents(term, genre, expected):
    assert genre_matches(term=term, genre=genre) is expected


@pytest.mark.parametrize(
    ("op", "terms", "artists", "expected"),
    [
        pytest.param("any_of", ["rock"], [("indie rock",)], True, id="any_of-subgenre-matches"),
        pytest.param("any_of", ["rock"], [("krautrock",)], False, id="any_of-word-inside-a-word-does-not"),
        pytest.param("any_of", ["Jazz", "metal"], [("death metal",)], True, id="any_of-one-of-several-terms"),
        pytest.param("any_of", ["rock"], [()], False, id="any_of-artist-without-genres-never-matches"),
        pytest.param("any_of", ["rock"], [], False, id="any_of-track-without-artists-never-matches"),
        pytest.param(
            "any_of", ["rock"], [("jazz",), ("punk rock",)], True, id="any_of-featured-artist-counts"
        ),
        pytest.param("none_of", ["rock"], [("jazz",)], True, id="none_of-other-genre-passes"),
        pytest.param("none_of", ["rock"], [("indie rock",)], False, id="none_of-subgenre-blocks"),
        pytest.param("none_of", ["rock"], [()], True, id="none_of-artist-without-genres-passes"),
        pytest.param("none_of", ["rock"], [], True, id="none_of-track-without-artists-passes"),
        pytest.param("none_of", ["rock"], [("jazz",), ("Rock",)], False, id="none_of-featured-artist-blocks"),
    ],
)
def test_genre_operators_look_at_every_credited_artist(op, terms, artists, expected):
    credited = tuple(artist(f"a{i}", f"Artist {i}", genres) for i, genres in enumerate(artists))
    assert matches(cond("genre", op, terms), track(artists=credited)) is expected


# --- ranges -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bounds", "year", "expected"),
    [
        ({"min": 1990, "max": 1999}, 1990, True),
        ({"min": 1990, "max": 1999}, 1999, True),
        ({"min": 1990, "max": 1999}, 1989, False),
        ({"min": 1990, "max": 1999}, 2000, False),
        ({"min": 2000, "max": None}, 2024, True),
        ({"min": 2000}, 1999, False),
        ({"max": 1979}, 1979, True),
        ({"min": None, "max": 1979}, 1980, False),
        ({"min": 1900, "max": 2100}, None, False),
        ({"max": 2100}, None, False),
    ],
)
def test_release_year_between_is_inclusive_open_ended_and_never_matches_an_unknown_year(
    bounds, year, expected
):
    assert matches(cond("release_year", "between", bounds), track(release_year=year)) is expected


@pytest.mark.parametrize(
    ("bounds", "duration_ms", "expected"),
    [
        ({"min": 180, "max": 240}, 180_000, True),
        ({"min": 180, "max": 240}, 179_999, False),
        ({"min": 180, "max": 240}, 240_999, True),  # 4:00.999 reads as 4:00
        ({"min": 180, "max": 240}, 241_000, False),
        ({"max": 60}, 0, True),
        ({"min": 600}, 5_400_000, True),  # an hour and a half: longer than any bound
        ({"min": 600}, 599_999, False),
    ],
)
def test_duration_between_counts_whole_seconds_with_inclusive_bounds(bounds, duration_ms, expected):
    assert matches(cond("duration", "between", bounds), track(duration_ms=duration_ms)) is expected


@pytest.mark.parametrize(
    ("bounds", "popularity", "expected"),
    [
        ({"min": 50, "max": None}, 50, True),
        ({"min": 50}, 49, False),
        ({"max": 20}, 0, True),
        ({"min": 0, "max": 100}, 100, True),
        ({"min": 0, "max": 100}, None, False),
    ],
)
def test_popularity_between_is_inclusive_and_never_matches_an_unknown_popularity(
    bounds, popularity, expected
):
    assert matches(cond("popularity", "between", bounds), track(popularity=popularity)) is expected


# --- explicit, artist, keyword, added_within_days ------------------------------------------------
@pytest.mark.parametrize(
    ("wanted", "explicit", "expected"),
    [(True, True, True), (True, False, False), (False, False, True), (False, True, False)],
)
def test_explicit_is_compares_the_flag(wanted, explicit, expected):
    assert matches(cond("explicit", "is", wanted), track(explicit=explicit)) is expected


@pytest.mark.parametrize(
    ("op", "ids", "credited", "expected"),
    [
        pytest.param("in", ["a1"], ["a1"], True, id="in-main-artist"),
        pytest.param("in", ["a1"], ["a0", "a1"], True, id="in-featured-artist"),
        pytest.param("in", ["a1", "a2"], ["a3"], False, id="in-none-credited"),
        pytest.param("in", ["a1"], [], False, id="in-no-artists"),
        pytest.param("in", ["A1"], ["a1"], False, id="in-ids-are-case-sensitive"),
        pytest.param("not_in", ["a1"], ["a0", "a1"], False, id="not_in-featured-artist-blocks"),
        pytest.param("not_in", ["a1"], ["a3"], True, id="not_in-others-pass"),
        pytest.param("not_in", ["a1"], [], True, id="not_in-no-artists-passes"),
    ],
)
def test_artist_operators_count_any_credited_artist(op, ids, credited, expected):
    facts = track(artists=tuple(artist(spotify_id, f"Name {spotify_id}") for spotify_id in credited))
    assert matches(cond("artist", op, ids), facts) is expected


@pytest.mark.parametrize(
    ("keyword", "name", "artist_names", "expected"),
    [
        ("love", "Lovesong", ["The Cure"], True),
        ("LOVE", "Song", ["Courtney Love"], True),
        ("beyonce", "Halo", ["Beyoncé"], True),
        ("live", "Alive (Live at Wembley)", [], True),
        ("remix", "Song", ["Artist"], False),
        ("cure", "Song", ["Someone", "The Cure"], True),
        ("the  cure", "Song", ["The Cure"], True),  # spaces collapsed when stored
    ],
)
def test_keyword_contains_searches_track_and_artist_names_case_and_accent_insensitively(
    keyword, name, artist_names, expected
):
    facts = track(name=name, artists=tuple(artist(f"a{i}", n) for i, n in enumerate(artist_names)))
    assert matches(cond("keyword", "contains", keyword), facts) is expected


@pytest.mark.parametrize(
    ("added_at", "expected"),
    [
        (NOW - timedelta(hours=1), True),
        (NOW - timedelta(days=7), True),
        (NOW - timedelta(days=7, seconds=1), False),
        (NOW - timedelta(days=400), False),
        (None, False),
    ],
)
def test_added_within_days_counts_back_from_the_run_and_never_matches_an_unknown_date(added_at, expected):
    assert matches(cond("added_within_days", "within", 7), track(added_at=added_at)) is expected


def test_added_within_days_needs_an_aware_clock():
    document = validate_filters(doc(cond("added_within_days", "within", 7)), mode=DEVELOPMENT)
    with pytest.raises(ValueError, match="aware"):
        document.compile(now=NOW.replace(tzinfo=None))


# --- combining ----------------------------------------------------------------------------------
ROCK = cond("genre", "any_of", ["rock"])
NINETIES = cond("release_year", "between", {"min": 1990, "max": 1999})
ROCK_FROM_1999 = track(artists=(artist(genres=("indie rock",)),), release_year=1999)
ROCK_FROM_2005 = track(artists=(artist(genres=("indie rock",)),), release_year=2005)
JAZZ_FROM_2005 = track(artists=(artist(genres=("jazz",)),), release_year=2005)


@pytest.mark.parametrize(
    ("match", "facts", "expected"),
    [
        ("all", ROCK_FROM_1999, True),
        ("all", ROCK_FROM_2005, False),
        ("any", ROCK_FROM_2005, True),
        ("any", JAZZ_FROM_2005, False),
    ],
)
def test_all_needs_every_condition_and_any_needs_one(match, facts, expected):
    assert (
        validate_filters(doc(ROCK, NINETIES, match=match), mode=DEVELOPMENT).matches(facts, now=NOW)
        is expected
    )


def test_an_empty_all_document_matches_every_track():
    document = validate_filters(doc(), mode=DEVELOPMENT)
    assert document.is_empty
    assert all(
        document.matches(facts, now=NOW) for facts in (ROCK_FROM_1999, JAZZ_FROM_2005, track(artists=()))
    )


def test_an_empty_any_document_is_refused_rather_than_matching_nothing():
    with pytest.raises(FilterValidationError) as refused:
        validate_filters(doc(match="any"), mode=DEVELOPMENT)
    assert refused.value.errors == {
        "conditions": ["Add at least one condition, or match “all” to take every track."]
    }


def test_a_group_combines_its_conditions_by_its_own_rule():
    jazz_or_nineties = {"match": "any", "conditions": [cond("genre", "any_of", ["jazz"]), NINETIES]}
    document = validate_filters(doc(cond("explicit", "is", False), jazz_or_nineties), mode=DEVELOPMENT)
    assert document.matches(JAZZ_FROM_2005, now=NOW)
    assert document.matches(ROCK_FROM_1999, now=NOW)
    assert not document.matches(ROCK_FROM_2005, now=NOW)
    assert not document.matches(track(explicit=True, release_year=1995), now=NOW)


def test_compile_filters_takes_a_stored_document_and_reuses_one_predicate():
    predicate = compile_filters(doc(ROCK), now=NOW)
    assert [predicate(facts) for facts in (ROCK_FROM_1999, JAZZ_FROM_2005)] == [True, False]


# --- metadata and the editor's field list --------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (doc(), set()),
        (doc(cond("keyword", "contains", "live"), cond("explicit", "is", True)), set()),
        (doc(cond("artist", "in", ["a1"]), cond("duration", "between", {"max": 300})), set()),
        (doc(ROCK), {Metadata.ARTIST_GENRES, Metadata.SONG_ANALYSIS}),
        (doc(NINETIES), {Metadata.RELEASE_YEAR}),
        (doc(cond("added_within_days", "within", 30)), {Metadata.ADDED_AT}),
        (doc(cond("popularity", "between", {"min": 70})), {Metadata.POPULARITY}),
        (doc(cond("plays", "at_least", 3)), {Metadata.PLAYS}),
        (
            doc(ROCK, {"match": "any", "conditions": [cond("added_within_days", "within", 3), NINETIES]}),
            {"artist_genres", "song_analysis", "added_at", "release_year"},
        ),
    ],
)
def test_needed_metadata_names_only_what_the_conditions_use(document, expected):
    assert needed_metadata(document) == expected
    assert validate_filters(document, mode=EXTENDED).needed_metadata == expected


def test_available_fields_hide_popularity_in_development_mode():
    development = [spec.name for spec in available_fields(mode=DEVELOPMENT)]
    extended = [spec.name for spec in available_fields(mode=EXTENDED)]
    assert "popularity" not in development
    assert extended == [*development[:7], "popularity", *development[7:]]
    assert development == [
        "genre", "release_year", "duration", "explicit", "artist", "keyword", "added_within_days",
        "plays", "mood", "themes", "content_rating",
    ]  # fmt: skip


def test_every_field_describes_its_operators_and_widget_for_the_editor():
    described = {field["name"]: field for field in describe_fields(mode=EXTENDED)}
    assert described["duration"]["widget"] == {
        "type": "range",
        "unit": "seconds",
        "min": 0,
        "max": 3600,
        "step": 1,
    }
    assert described["popularity"]["widget"] == {"type": "range", "min": 0, "max": 100, "step": 1}
    assert described["popularity"]["modes"] == ["extended"]
    assert described["genre"]["operators"] == [
        {"name": "any_of", "label": "is any of"},
        {"name": "none_of", "label": "is none of"},
    ]
    assert described["genre"]["widget"]["type"] == "multi-select"
    assert "rock" in described["genre"]["widget"]["suggestions"]
    assert described["genre"]["needs"] == ["artist_genres", "song_analysis"]
    assert described["explicit"]["widget"] == {"type": "boolean"}
    assert described["keyword"]["widget"]["type"] == "text"
    assert described["added_within_days"]["widget"] == {
        "type": "number",
        "unit": "days",
        "min": 1,
        "max": 3650,
        "step": 1,
    }
    assert all(field["label"] and field["help_text"] for field in described.values())


def test_available_fields_refuse_an_unknown_mode():
    with pytest.raises(ValueError, match="Unknown Spotify app mode"):
        available_fields(mode="production")


# --- the extension point -------------------------------------------------------------------------
def test_a_new_field_is_registered_in_one_place_and_then_validates_evaluates_and_declares_its_needs():
    registry = REGISTRY.copy()
    registry.register(
        FieldSpec(
            name="vibe",
            label="Vibe",
            help_text="A made-up field reading the analysis, to show the extension point.",
            operators=(
                Operator(
                    name="any_of",
                    label="is any of",
                    parse=term_list(what="vibe", plural="vibes"),
                    build=lambda moods, context: (
                        lambda facts: (facts.extras.get("song_analysis") or {}).get("mood") in moods
                    ),
                ),
            ),
            widget=Widget(type=WidgetType.MULTI_SELECT, suggestions=("calm", "happy", "sad")),
            needs=frozenset({"song_analysis"}),
        )
    )
    document = validate_filters(doc(cond("vibe", "any_of", ["Calm"])), mode=DEVELOPMENT, registry=registry)

    assert document.to_dict()["conditions"] == [{"field": "vibe", "op": "any_of", "value": ["calm"]}]
    assert needed_metadata(document) == {"song_analysis"}
    assert document.matches(track(extras={"song_analysis": {"mood": "calm"}}), now=NOW)
    assert not document.matches(track(), now=NOW)
    assert "vibe" in [spec.name for spec in available_fields(mode=DEVELOPMENT, registry=registry)]
    # The shared registry is untouched.
    with pytest.raises(FilterValidationError):
        validate_filters(doc(cond("vibe", "any_of", ["calm"])), mode=DEVELOPMENT)


def test_a_field_name_can_be_registered_only_once():
    with pytest.raises(ValueError, match="already registered"):
        REGISTRY.copy().register(REGISTRY.get("genre"))
