"""A refused filter document in the listener's words: each problem names its condition by place
and field, and the editor's live preview and its Save word the same problem the same way, while
the API keeps its paths."""

from __future__ import annotations

import json

import pytest

from routing.filters import (
    POPULARITY_UNAVAILABLE,
    FilterValidationError,
    describe_problems,
    validate_filters,
)
from routing.models import ChildPlaylist
from tests.routing.routing_pages_support import GENRES, Setup, make_setup, page_text


def problems(document, *, mode: str = "development") -> list[tuple[str, str]]:
    with pytest.raises(FilterValidationError) as refused:
        validate_filters(document, mode=mode)
    found = describe_problems(refused.value, document=document)
    return [(problem.path, problem.message) for problem in found]


def conditions(*items, match: str = "all") -> dict:
    return {"match": match, "conditions": list(items)}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        # What "Add a condition" puts in the draft before the listener types anything.
        (
            conditions({"field": "genre", "op": "any_of", "value": []}),
            [("conditions.0.value", "Condition 1 (Genre): choose at least one genre.")],
        ),
        (
            conditions(
                {"field": "genre", "op": "any_of", "value": ["rock"]},
                {"field": "release_year", "op": "between", "value": {"min": 2010, "max": 1990}},
            ),
            [("conditions.1.value", "Condition 2 (Release year): in the year range, the minimum must not be above the maximum.")],
        ),
        (
            conditions({"field": "release_year", "op": "between", "value": {"min": None, "max": None}}),
            [
                (
                    "conditions.0.value",
                    "Condition 1 (Release year): year range needs a minimum, a maximum or both.",
                )
            ],
        ),
        (
            conditions({"field": "added_within_days", "op": "within", "value": None}),
            [("conditions.0.value", "Condition 1 (Added to the base): choose a value.")],
        ),
        (
            conditions({"field": "colour", "op": "is", "value": "blue"}),
            [
                (
                    "conditions.0.field",
                    "Condition 1: “colour” is not a field Linernotes can filter on; "
                    "choose one from the list.",
                )
            ],
        ),
        (
            conditions({"field": "genre", "op": "sounds_like", "value": ["rock"]}),
            [
                (
                    "conditions.0.op",
                    "Condition 1 (Genre): choose how to compare: “is any of” or “is none of”.",
                )
            ],
        ),
        (
            conditions({"field": "popularity", "op": "between", "value": {"min": 70}}),
            [("conditions.0.field", f"Condition 1 (Popularity): p{POPULARITY_UNAVAILABLE[1:]}")],
        ),
        (
            conditions(
                {"field": "explicit", "op": "is", "value": False},
                {"match": "any", "conditions": [{"field": "keyword", "op": "contains", "value": "  "}]},
                {"match": "any", "conditions": []},
            ),
            [
                (
                    "conditions.1.conditions.0.value",
                    "Group 2, condition 1 (Keyword): keyword cannot be blank.",
                ),
                ("conditions.2.conditions", "Group 3: add at least one condition to it."),
            ],
        ),
        (
            conditions(match="any"),
            [("conditions", "Add at least one condition, or match “all” to take every track.")],
        ),
        (
            {"conditions": []},
            [("match", "Choose whether a track must match all or any of the conditions.")],
        ),
        (
            conditions({"field": "explicit", "op": "is", "value": False, "weight": 2}),
            [
                (
                    "conditions.0.weight",
                    "Condition 1 (Explicit): “weight” is not part of a condition: "
                    "a condition has only a field, a comparison and a value.",
                )
            ],
        ),
    ],
)
def test_each_problem_names_its_condition_by_place_and_field(document, expected):
    assert problems(document) == expected


def test_no_listener_sentence_speaks_in_paths():
    document = conditions(
        {"field": "genre", "op": "any_of", "value": []},
        conditions({"field": "duration", "op": "between", "value": {"min": 300, "max": 60}}),
    )

    for path, message in problems(document):
        assert path.startswith("conditions.") and "conditions." not in message and ".value" not in message


# --- the editor: the same words before and after Save --------------------------------------------

EMPTY_GENRE = conditions({"field": "genre", "op": "any_of", "value": []})


@pytest.fixture
def setup() -> Setup:
    return make_setup()


@pytest.mark.django_db
def test_the_live_preview_and_save_word_a_problem_identically(client, setup):
    client.force_login(setup.listener)

    previewed = client.post(
        f"/api/base-playlists/{setup.base.pk}/preview",
        {"filters": EMPTY_GENRE, "child": setup.chill.pk, "read_children": False},
        content_type="application/json",
    )
    saved = client.post(
        f"/routing/children/{setup.chill.pk}/",
        {"name": "Chill", "mode": "rebuild", "filters": json.dumps(EMPTY_GENRE)},
    )

    sentence = "Condition 1 (Genre): choose at least one genre."
    assert previewed.status_code == 400
    assert previewed.json()["problems"] == [{"path": "conditions.0.value", "message": sentence}]
    assert saved.status_code == 400
    page = page_text(saved)
    assert f"<li>{sentence}</li>" in page and "conditions.0" not in page.split('id="filter-error-list"')[0]
    assert ChildPlaylist.objects.get(pk=setup.chill.pk).filters == GENRES


@pytest.mark.django_db
def test_the_preview_api_keeps_the_paths_of_its_refusal_beside_the_sentences(client, setup):
    client.force_login(setup.listener)

    previewed = client.post(
        f"/api/base-playlists/{setup.base.pk}/preview",
        {"filters": EMPTY_GENRE, "read_children": False},
        content_type="application/json",
    )

    assert previewed.json()["filters"] == {"conditions": {"0": {"value": ["Choose at least one genre."]}}}
