"""A stored filter in words: yes/no fields read as English about the track, not as a form
field ("explicit is no")."""

from __future__ import annotations

import pytest

from routing.display.filters import describe_filters


def explicit(value: bool) -> dict:
    return {"field": "explicit", "op": "is", "value": value}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "Explicit tracks."), (False, "Tracks that are not explicit.")],
)
def test_a_lone_yes_no_condition_reads_as_a_noun_phrase(value, expected):
    assert describe_filters({"match": "all", "conditions": [explicit(value)]}) == expected


def test_a_yes_no_condition_beside_others_speaks_about_the_track():
    document = {
        "match": "any",
        "conditions": [
            {"field": "release_year", "op": "between", "value": {"min": 1990, "max": 1999}},
            explicit(False),
        ],
    }
    assert describe_filters(document) == (
        "Tracks where release year is between 1990 and 1999 or the track is not explicit."
    )


def test_a_yes_no_condition_inside_a_group_speaks_about_the_track():
    document = {
        "match": "all",
        "conditions": [{"match": "any", "conditions": [explicit(True)]}],
    }
    assert describe_filters(document) == "Tracks where (the track is explicit)."
