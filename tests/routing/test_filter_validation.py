"""Filter documents are refused precisely (DRF-shaped, field-level) and stored normalised."""

from __future__ import annotations

import pytest

from routing.filters import (
    DEVELOPMENT,
    EXTENDED,
    MAX_CONDITIONS,
    POPULARITY_UNAVAILABLE,
    FilterValidationError,
    validate_filters,
)
from tests.routing.filter_support import cond, doc

ALL_FIELDS = (
    "genre, release_year, duration, explicit, artist, keyword, added_within_days, popularity, "
    "plays, mood, themes, content_rating."
)


def errors_of(document, *, mode: str = EXTENDED) -> dict:
    with pytest.raises(FilterValidationError) as refused:
        validate_filters(document, mode=mode)
    return refused.value.errors


def value_errors(field: str, op: str, value) -> list[str]:
    return errors_of(doc(cond(field, op, value)))["conditions"]["0"]["value"]


# --- the document's shape -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            ["not", "an", "object"],
            {"non_field_errors": ["Expected filters: an object with “match” and “conditions”."]},
            id="not-an-object",
        ),
        pytest.param(
            {}, {"match": ["This field is required."], "conditions": ["This field is required."]}, id="empty"
        ),
        pytest.param(
            {"match": "all", "conditions": [], "colour": "red"},
            {"colour": ["Unknown key; filters have only “match” and “conditions”."]},
            id="unknown-top-level-key",
        ),
        pytest.param(
            {"match": "most", "conditions": []},
            {"match": ["“most” is not a valid choice; use “all” or “any”."]},
            id="unknown-match",
        ),
        pytest.param({"match": 1, "conditions": []}, {"match": ["Use “all” or “any”."]}, id="match-not-text"),
        pytest.param(
            {"match": "all", "conditions": {"field": "genre"}},
            {"conditions": ["Expected a list of conditions."]},
            id="conditions-not-a-list",
        ),
    ],
)
def test_a_malformed_document_is_refused_with_a_message_on_the_faulty_key(document, expected):
    assert errors_of(document) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param(
            "genre is rock",
            {"non_field_errors": ["Expected a condition: an object with “field”, “op” and “value”."]},
            id="not-an-object",
        ),
        pytest.param(
            {"field": "genre", "op": "any_of"},
            {"value": ["This field is required."]},
            id="missing-value",
        ),
        pytest.param(
            {"field": "genre", "op": "any_of", "value": ["rock"], "negate": True},
            {"negate": ["Unknown key; a condition has only “field”, “op” and “value”."]},
            id="unknown-key",
        ),
        pytest.param(
            cond("colour", "is", "red"),
            {"field": ["Unknown field “colour”; choose one of: " + ALL_FIELDS]},
            id="unknown-field",
        ),
        pytest.param(
            cond(["genre"], "any_of", ["rock"]),
            {"field": ["Expected the name of a field; choose one of: " + ALL_FIELDS]},
            id="field-not-text",
        ),
        pytest.param(
            cond("genre", "equals", ["rock"]),
            {"op": ["“equals” is not an operator of genre; use any_of or none_of."]},
            id="unknown-operator",
        ),
        pytest.param(
            cond("release_year", "in", [1999]),
            {"op": ["“in” is not an operator of release_year; use between."]},
            id="operator-of-another-field",
        ),
    ],
)
def test_a_faulty_condition_is_refused_under_its_index(condition, expected):
    assert errors_of(doc(cond("explicit", "is", True), condition)) == {"conditions": {"1": expected}}


def test_every_faulty_condition_is_reported_at_once():
    errors = errors_of(
        doc(
            cond("genre", "any_of", []),
            cond("explicit", "is", True),
            cond("release_year", "between", {"min": 2001, "max": 2000}),
        )
    )
    assert errors == {
        "conditions": {
            "0": {"value": ["Choose at least one genre."]},
            "2": {"value": ["In the year range, the minimum must not be above the maximum."]},
        }
    }


def test_the_error_reads_as_dotted_paths_for_logs():
    with pytest.raises(
        FilterValidationError, match=r"conditions\.0\.value: In the year range, the minimum must not be above the maximum\."
    ):
        validate_filters(doc(cond("release_year", "between", {"min": 2001, "max": 2000})), mode=DEVELOPMENT)


# --- values, field by field --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("genre", "any_of", "rock", ["Enter a list of genres."]),
        ("genre", "none_of", [], ["Choose at least one genre."]),
        ("genre", "any_of", ["rock", 7], ["Each genre must be text; item 2 is not."]),
        ("genre", "any_of", ["  "], ["Item 1 is blank; each genre needs some text."]),
        ("genre", "any_of", ["&&"], ["Genre “&&” has no letters or digits."]),
        ("genre", "any_of", ["x"] * 101, ["Choose at most 100 genres."]),
        (
            "artist",
            "in",
            ["Radiohead!"],
            [
                (
                    "“Radiohead!” is not a Spotify artist id "
                    "(letters and digits only, as in the artist's Spotify link)."
                )
            ],
        ),
        ("artist", "not_in", "4Z8W4fKeB5YxbusRsdQVPb", ["Enter a list of artist ids."]),
        (
            "release_year",
            "between",
            1999,
            ['Enter the year range as {"min": …, "max": …}; either bound may be null.'],
        ),
        (
            "release_year",
            "between",
            {"from": 1990},
            [
                "Unknown key “from” in the year range; use “min” and “max”.",
            ],
        ),
        ("release_year", "between", {"min": "1990"}, ["Minimum year must be a whole number."]),
        ("release_year", "between", {"min": True}, ["Minimum year must be a whole number."]),
        ("release_year", "between", {"max": 1999.5}, ["Maximum year must be a whole number."]),
        ("release_year", "between", {"min": 1850}, ["Minimum year must be between 1900 and 2100."]),
        (
            "release_year",
            "between",
            {"min": None, "max": None},
            ["Year range needs a minimum, a maximum or both."],
        ),
        ("release_year", "between", {}, ["Year range needs a minimum, a maximum or both."]),
        ("release_year", "between", {"min": 2001, "max": 2000}, ["In the year range, the minimum must not be above the maximum."]),
        ("duration", "between", {"min": -1}, ["Minimum duration must be between 0 and 3600 seconds."]),
        ("duration", "between", {"max": "4:00"}, ["Maximum duration must be a whole number of seconds."]),
        ("duration", "between", {"min": 300, "max": 200}, ["In the duration range, the minimum must not be above the maximum."]),
        ("popularity", "between", {"max": 101}, ["Maximum popularity must be between 0 and 100."]),
        ("explicit", "is", "true", ["Explicit must be true or false."]),
        ("explicit", "is", 1, ["Explicit must be true or false."]),
        ("keyword", "contains", "   ", ["Keyword cannot be blank."]),
        ("keyword", "contains", ["live"], ["Keyword must be text."]),
        ("keyword", "contains", "x" * 201, ["Keyword must be at most 200 characters."]),
        ("added_within_days", "within", 0, ["Number of days must be a whole number from 1 to 3650."]),
        ("added_within_days", "within", "7", ["Number of days must be a whole number from 1 to 3650."]),
        ("added_within_days", "within", 3651, ["Number of days must be a whole number from 1 to 3650."]),
        ("plays", "at_least", 0, ["Number of plays must be a whole number from 1 to 100000 times."]),
        ("plays", "at_least", "3", ["Number of plays must be a whole number from 1 to 100000 times."]),
        ("plays", "at_least", 2.5, ["Number of plays must be a whole number from 1 to 100000 times."]),
        ("plays", "at_least", None, ["Number of plays must be a whole number from 1 to 100000 times."]),
    ],
)
def test_a_bad_value_is_refused_with_a_message_about_that_value(field, op, value, expected):
    assert value_errors(field, op, value) == expected


def test_every_problem_of_one_range_is_reported():
    assert value_errors("release_year", "between", {"min": "x", "max": 3000, "step": 1}) == [
        "Unknown key “step” in the year range; use “min” and “max”.",
        "Minimum year must be a whole number.",
        "Maximum year must be between 1900 and 2100.",
    ]


# --- app modes ---------------------------------------------------------------------------------
def test_popularity_is_refused_in_development_mode_with_the_reason():
    errors = errors_of(doc(cond("popularity", "between", {"min": 50})), mode=DEVELOPMENT)
    assert errors == {"conditions": {"0": {"field": [POPULARITY_UNAVAILABLE]}}}
    assert (
        POPULARITY_UNAVAILABLE
        == "Popularity is not available to Development-mode Spotify apps (February 2026); "
        "filter on how often you played a track (“Played”) instead."
    )


def test_plays_are_offered_in_both_modes_and_stored_as_a_whole_number():
    for mode in (DEVELOPMENT, EXTENDED):
        stored = validate_filters(doc(cond("plays", "at_least", 3)), mode=mode).to_dict()
        assert stored == doc(cond("plays", "at_least", 3))


def test_popularity_is_accepted_in_extended_mode():
    document = validate_filters(doc(cond("popularity", "between", {"min": 50})), mode=EXTENDED)
    assert document.field_names == {"popularity"}


def test_an_unknown_field_in_development_mode_does_not_offer_popularity():
    message = errors_of(doc(cond("colour", "is", "red")), mode=DEVELOPMENT)["conditions"]["0"]["field"][0]
    assert "popularity" not in message


def test_a_stored_document_is_read_back_without_the_mode_check():
    document = validate_filters(doc(cond("popularity", "between", {"min": 50})), mode=None)
    assert document.field_names == {"popularity"}


def test_an_unknown_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown Spotify app mode"):
        validate_filters(doc(), mode="production")


# --- groups and limits -------------------------------------------------------------------------
def test_groups_nest_only_one_level():
    inner = {"match": "all", "conditions": [cond("explicit", "is", True)]}
    errors = errors_of(doc({"match": "any", "conditions": [inner]}))
    assert errors == {
        "conditions": {
            "0": {"conditions": {"0": {"non_field_errors": ["Groups can be nested only one level deep."]}}}
        }
    }


def test_an_empty_group_is_refused():
    assert errors_of(doc({"match": "any", "conditions": []})) == {
        "conditions": {"0": {"conditions": ["A group needs at least one condition."]}}
    }


def test_a_faulty_condition_inside_a_group_is_reported_under_both_indexes():
    group = {"match": "any", "conditions": [cond("explicit", "is", True), cond("genre", "any_of", "rock")]}
    assert errors_of(doc(cond("explicit", "is", False), group)) == {
        "conditions": {"1": {"conditions": {"1": {"value": ["Enter a list of genres."]}}}}
    }


def test_a_document_may_hold_at_most_the_limit_of_conditions_groups_included():
    half = [cond("explicit", "is", True)] * (MAX_CONDITIONS // 2)
    at_limit = doc(*half, {"match": "any", "conditions": half})
    assert validate_filters(at_limit, mode=DEVELOPMENT)
    over = doc(*half, {"match": "any", "conditions": [*half, cond("explicit", "is", False)]})
    assert errors_of(over) == {"conditions": [f"Use at most {MAX_CONDITIONS} conditions (groups included)."]}


# --- normalisation -----------------------------------------------------------------------------
def test_the_stored_document_is_normalised():
    raw = doc(
        cond("genre", "any_of", [" Indie  Rock", "indie rock", "R&B"]),
        cond("release_year", "between", {"min": 1990.0}),
        cond("keyword", "contains", "  Live   at  "),
        cond("artist", "in", [" 4Z8W4fKeB5YxbusRsdQVPb", "4Z8W4fKeB5YxbusRsdQVPb"]),
        match="any",
    )
    assert validate_filters(raw, mode=DEVELOPMENT).to_dict() == {
        "match": "any",
        "conditions": [
            {"field": "genre", "op": "any_of", "value": ["indie rock", "r&b"]},
            {"field": "release_year", "op": "between", "value": {"min": 1990, "max": None}},
            {"field": "keyword", "op": "contains", "value": "Live at"},
            {"field": "artist", "op": "in", "value": ["4Z8W4fKeB5YxbusRsdQVPb"]},
        ],
    }


def test_a_normalised_document_validates_to_itself():
    raw = doc(
        cond("duration", "between", {"max": 240}),
        {"match": "any", "conditions": [cond("genre", "none_of", ["Metal"]), cond("explicit", "is", False)]},
    )
    stored = validate_filters(raw, mode=DEVELOPMENT).to_dict()
    assert validate_filters(stored, mode=DEVELOPMENT).to_dict() == stored


def test_the_stored_form_is_a_copy_that_callers_cannot_change_through():
    document = validate_filters(doc(cond("genre", "any_of", ["rock"])), mode=DEVELOPMENT)
    document.to_dict()["conditions"][0]["value"].append("jazz")
    assert document.to_dict()["conditions"][0]["value"] == ["rock"]
