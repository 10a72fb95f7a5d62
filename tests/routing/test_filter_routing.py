"""route_tracks: which of a base's tracks each child gets, in the base's order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from routing.filters import DEVELOPMENT, route_tracks, validate_filters
from tests.routing.filter_support import NOW, artist, cond, doc, track


def filters(*conditions, match: str = "all"):
    return validate_filters(doc(*conditions, match=match), mode=DEVELOPMENT)


ROCK = filters(cond("genre", "any_of", ["rock"]))
NINETIES = filters(cond("release_year", "between", {"min": 1990, "max": 1999}))
EVERYTHING = filters()
RECENT = filters(cond("added_within_days", "within", 30))


def rock(track_id: str, year: int, **overrides):
    return track(track_id, artists=(artist(genres=("indie rock",)),), release_year=year, **overrides)


def jazz(track_id: str, year: int, **overrides):
    return track(track_id, artists=(artist(genres=("jazz",)),), release_year=year, **overrides)


BASE = [rock("r95", 1995), jazz("j92", 1992), rock("r05", 2005), jazz("j10", 2010)]


def test_without_first_match_only_a_track_goes_to_every_child_it_matches_in_base_order():
    routed = route_tracks(
        facts=BASE, children=[(1, ROCK), (2, NINETIES), (3, EVERYTHING)], first_match_only=False
    )
    assert routed == {1: ["r95", "r05"], 2: ["r95", "j92"], 3: ["r95", "j92", "r05", "j10"]}


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([(1, ROCK), (2, NINETIES), (3, EVERYTHING)], {1: ["r95", "r05"], 2: ["j92"], 3: ["j10"]}),
        ([(2, NINETIES), (1, ROCK), (3, EVERYTHING)], {2: ["r95", "j92"], 1: ["r05"], 3: ["j10"]}),
        ([(3, EVERYTHING), (1, ROCK)], {3: ["r95", "j92", "r05", "j10"], 1: []}),
    ],
)
def test_with_first_match_only_a_track_goes_only_to_the_first_matching_child_in_position_order(
    children, expected
):
    assert route_tracks(facts=BASE, children=children, first_match_only=True) == expected


def test_a_track_the_base_holds_twice_appears_once_per_child():
    base = [rock("r95", 1995), jazz("j92", 1992), rock("r95", 1995), rock("r95", 1995)]
    routed = route_tracks(facts=base, children=[("a", ROCK), ("b", EVERYTHING)], first_match_only=False)
    assert routed == {"a": ["r95"], "b": ["r95", "j92"]}


def test_a_duplicate_counts_where_its_first_matching_occurrence_is():
    base = [
        jazz("j92", 1992, added_at=NOW - timedelta(days=400)),
        rock("r95", 1995, added_at=NOW - timedelta(days=2)),
        jazz("j92", 1992, added_at=NOW - timedelta(days=1)),  # added again, recently
    ]
    routed = route_tracks(facts=base, children=[("recent", RECENT)], first_match_only=False, now=NOW)
    assert routed == {"recent": ["r95", "j92"]}


def test_with_first_match_only_a_later_occurrence_can_win_an_earlier_child():
    base = [
        jazz("j92", 1992, added_at=NOW - timedelta(days=400)),
        jazz("j92", 1992, added_at=NOW - timedelta(days=1)),
    ]
    routed = route_tracks(
        facts=base, children=[("recent", RECENT), ("nineties", NINETIES)], first_match_only=True, now=NOW
    )
    assert routed == {"recent": ["j92"], "nineties": []}


def test_every_child_is_in_the_result_even_with_no_tracks():
    assert route_tracks(facts=[], children=[(1, ROCK), (2, EVERYTHING)], first_match_only=True) == {
        1: [],
        2: [],
    }


def test_a_child_listed_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="only once"):
        route_tracks(facts=BASE, children=[(1, ROCK), (1, NINETIES)], first_match_only=False)


def test_one_clock_serves_the_whole_run():
    base = [
        jazz("old", 1992, added_at=NOW - timedelta(days=31)),
        jazz("new", 1992, added_at=NOW - timedelta(days=29)),
    ]
    routed = route_tracks(facts=base, children=[(1, RECENT)], first_match_only=False, now=NOW)
    assert routed == {1: ["new"]}
