"""The filter editor page of a child playlist: what it serves the script (fields of this app
mode, choices from the base, the preview API), saving a valid document normalised, and
refusing an invalid one with every message at its path while saving nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from library.models import ItemKind
from routing.filters import POPULARITY_UNAVAILABLE
from routing.models import ChildPlaylist
from core.runs import RunStatus
from tests.library.factories import ArtistFactory, PlaylistItemFactory, TrackFactory
from tests.routing.routing_pages_support import (
    GENRES,
    page_text,
    route_event,
    Setup,
    make_setup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> Setup:
    return make_setup()


POPULAR = {"match": "all", "conditions": [{"field": "popularity", "op": "between", "value": {"min": 70}}]}


def served_json(page: str, element_id: str):
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return json.loads(found.group(1))


def editor(client, child) -> str:
    response = client.get(f"/routing/children/{child.pk}/")
    assert response.status_code == 200
    return page_text(response)


def save(client, child, filters, *, name: str = "Chill", mode: str = "rebuild"):
    body = filters if isinstance(filters, str) else json.dumps(filters)
    return client.post(f"/routing/children/{child.pk}/", {"name": name, "mode": mode, "filters": body})


def stored(child) -> ChildPlaylist:
    return ChildPlaylist.objects.get(pk=child.pk)


# --- what the page serves -------------------------------------------------------------------------
def test_the_editor_serves_the_document_the_fields_and_the_preview_api(client, setup):
    client.force_login(setup.listener)

    page = editor(client, setup.chill)

    assert (
        '<textarea name="filters"' in page and '"value": [\n        "rock",\n        "indie"\n      ]' in page
    )
    assert 'value="Chill"' in page and 'value="rebuild" required id="id_mode_0" checked' in page
    fields = {field["name"]: field for field in served_json(page, "filter-fields")}
    assert (
        fields["genre"]["widget"]["type"] == "multi-select"
        and fields["explicit"]["widget"]["type"] == "boolean"
    )
    assert (
        fields["release_year"]["widget"]["type"] == "range"
        and fields["added_within_days"]["widget"]["unit"] == "days"
    )
    assert (
        f'data-preview-url="/api/base-playlists/{setup.base.pk}/preview" data-child-id="{setup.chill.pk}"'
        in page
    )
    assert '<script src="/static/js/filter-editor.js" defer></script>' in page
    assert "Now: Tracks where genre is any of “rock”, “indie”." in page


def test_the_editor_offers_the_artists_and_genres_of_the_bases_own_tracks(client, setup):
    pavement = ArtistFactory(name="Pavement", genres=["indie rock", "slacker rock"])
    stereolab = ArtistFactory(name="Stereolab", genres=["indie rock", "space age pop"])
    for artist in (pavement, pavement, stereolab):
        PlaylistItemFactory(playlist=setup.base.playlist, track=TrackFactory(artist=artist))
    PlaylistItemFactory(track=TrackFactory(artist=ArtistFactory(name="Elsewhere")))  # another playlist
    client.force_login(setup.listener)

    choices = served_json(editor(client, setup.chill), "filter-choices")

    assert choices["artists"] == [[pavement.spotify_id, "Pavement"], [stereolab.spotify_id, "Stereolab"]]
    assert choices["genres"] == ["indie rock", "slacker rock", "space age pop"]


def test_popularity_is_offered_only_in_extended_mode(client, setup, settings):
    client.force_login(setup.listener)

    settings.SPOTIFY_APP_MODE = "development"
    development = editor(client, setup.chill)
    settings.SPOTIFY_APP_MODE = "extended"
    extended = editor(client, setup.chill)

    assert "popularity" not in [field["name"] for field in served_json(development, "filter-fields")]
    assert 'data-field="popularity"' not in development and "(development mode)" in development
    assert "popularity" in [field["name"] for field in served_json(extended, "filter-fields")]
    assert 'data-field="popularity"' in extended


def test_popularity_cannot_be_saved_in_development_mode(client, setup, settings):
    settings.SPOTIFY_APP_MODE = "development"
    client.force_login(setup.listener)

    response = save(client, setup.chill, POPULAR)

    assert response.status_code == 400
    assert f"<li>Condition 1 (Popularity): p{POPULARITY_UNAVAILABLE[1:]}</li>" in page_text(response)
    assert stored(setup.chill).filters == GENRES


def test_popularity_is_saved_in_extended_mode(client, setup, settings):
    settings.SPOTIFY_APP_MODE = "extended"
    client.force_login(setup.listener)

    assert save(client, setup.chill, POPULAR).status_code == 302
    assert stored(setup.chill).filters == {
        "match": "all",
        "conditions": [{"field": "popularity", "op": "between", "value": {"min": 70, "max": None}}],
    }


# --- saving ---------------------------------------------------------------------------------------
def test_a_valid_document_is_saved_normalised_with_the_name_and_mode(client, setup):
    client.force_login(setup.listener)
    document = {
        "match": "any",
        "conditions": [
            {"field": "genre", "op": "any_of", "value": ["  Indie   Rock ", "indie rock", "Shoegaze"]},
            {
                "match": "all",
                "conditions": [
                    {"field": "release_year", "op": "between", "value": {"min": 1990}},
                    {"field": "keyword", "op": "contains", "value": "  live  "},
                ],
            },
        ],
    }

    response = save(client, setup.chill, document, name="  Chill   out ", mode="add_only")

    assert response.status_code == 302 and response["Location"] == f"/routing/children/{setup.chill.pk}/"
    child = stored(setup.chill)
    assert (child.name, child.mode) == ("Chill out", "add_only")
    assert child.filters == {
        "match": "any",
        "conditions": [
            {"field": "genre", "op": "any_of", "value": ["indie rock", "shoegaze"]},
            {
                "match": "all",
                "conditions": [
                    {"field": "release_year", "op": "between", "value": {"min": 1990, "max": None}},
                    {"field": "keyword", "op": "contains", "value": "live"},
                ],
            },
        ],
    }
    page = page_text(client.get(response["Location"]))
    assert "Saved “Chill out”." in page
    assert (
        "Tracks where genre is any of “indie rock”, “shoegaze” or "
        "(release year is at least 1990 and keyword contains “live”)." in page
    )


def test_an_invalid_document_shows_every_problem_naming_its_condition_and_saves_nothing(client, setup):
    client.force_login(setup.listener)
    document = {
        "match": "all",
        "conditions": [
            {"field": "release_year", "op": "between", "value": {"min": 2010, "max": 1990}},
            {"field": "colour", "op": "is", "value": "blue"},
            {"field": "duration", "op": "between", "value": {"min": 90}},
        ],
    }

    response = save(client, setup.chill, document, name="Renamed", mode="add_only")

    assert response.status_code == 400
    page = page_text(response)
    assert "The filters were not saved" in page
    backwards = "Condition 1 (Release year): in the year range, the minimum must not be above the maximum."
    unknown = "Condition 2: “colour” is not a field Linernotes can filter on; choose one from the list."
    listed = page[page.index('id="filter-errors"') : page.index('id="child-form"')]
    assert re.findall(r"<li>(.*?)</li>", listed) == [backwards, unknown]
    assert "<code>" not in listed and "conditions." not in listed  # no JSON paths for the listener
    # The script gets the same sentences with their paths, to show each beside its row.
    assert served_json(page, "filter-error-list") == [
        {"path": "conditions.0.value", "message": backwards},
        {"path": "conditions.1.field", "message": unknown},
    ]
    assert 'value="Renamed"' in page and '"field": "colour"' in page  # what was typed stays in the form
    child = stored(setup.chill)
    assert (child.name, child.mode, child.filters) == ("Chill", "rebuild", GENRES)


def test_text_that_is_not_json_is_refused_and_saves_nothing(client, setup):
    client.force_login(setup.listener)

    response = save(client, setup.chill, '{"match": "all", "conditions": [', name="Renamed")

    assert response.status_code == 400
    assert "This is not a JSON document (Expecting value at line 1, column 33)." in page_text(response)
    assert stored(setup.chill).name == "Chill"


def test_a_blank_name_is_refused(client, setup):
    client.force_login(setup.listener)

    response = save(client, setup.chill, GENRES, name="   ")

    assert response.status_code == 400 and "This field is required." in page_text(response)
    assert stored(setup.chill).name == "Chill"


def test_while_the_base_routes_the_editor_shows_the_progress_and_cannot_save(client, setup):
    route_event(setup.base, RunStatus.RUNNING, children_total=2, children_done=1)
    client.force_login(setup.listener)

    page = editor(client, setup.chill)

    assert 'data-active="true"' in page and "1 of 2 child playlists done." in page
    assert (
        '<button type="submit" class="button spotify" data-edit data-busy-reason="busy-note" '
        'disabled aria-describedby="busy-note">Save</button>' in page
    )
    assert re.search(r'id="busy-note"\s*>Saving waits until the route has finished', page)


def test_the_editor_scripts_are_served_in_order_and_post_drafts_to_the_preview_api(client, setup):
    client.force_login(setup.listener)
    page = editor(client, setup.chill)
    scripts = re.findall(r'<script src="/static/js/(filter-[a-z]+\.js)" defer>', page)
    editor_js, preview_js = (
        Path(finders.find(f"js/{name}")).read_text() for name in ("filter-editor.js", "filter-preview.js")
    )

    assert scripts == ["filter-widgets.js", "filter-preview.js", "filter-editor.js"]
    assert 'textarea[name="filters"]' in editor_js and '"filter-editor:change"' in editor_js
    assert "form.dataset.previewUrl" in preview_js and '"X-CSRFToken"' in preview_js
    assert "read_children: readChildren" in preview_js and '"filter-editor:change"' in preview_js
    # The preview hands the server's sentences to the editor, which shows them beside their rows.
    assert '"filter-preview:problems"' in preview_js and '"filter-preview:problems"' in editor_js
    assert "body.problems" in preview_js and "problem.message" in editor_js


# --- why the editor counts fewer tracks than the base page's items -------------------------------
def test_the_editor_says_which_base_items_filters_cannot_route_with_the_counts_the_preview_uses(
    client, setup
):
    playlist = setup.base.playlist
    for _ in range(3):
        PlaylistItemFactory(playlist=playlist)
    PlaylistItemFactory(playlist=playlist, kind=ItemKind.LOCAL, track=None, name="Demo.mp3")
    PlaylistItemFactory(playlist=playlist, kind=ItemKind.EPISODE, track=None, name="A podcast")
    client.force_login(setup.listener)

    page = editor(client, setup.chill)
    answer = client.post(
        f"/api/base-playlists/{setup.base.pk}/preview",
        json.dumps({"read_children": False, "filters": setup.chill.filters, "child": setup.chill.pk}),
        content_type="application/json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["base_tracks"] == 3  # the editor's "of 3 tracks of the base"
    assert re.search(
        'id="unroutable-items">' r"3 of the base's 5 items are songs filters can route; "
        r"1 is a local file and 1 is a podcast episode\.</p>",
        page,
    )


def test_the_editor_explains_nothing_when_every_base_item_is_a_song(client, setup):
    for _ in range(2):
        PlaylistItemFactory(playlist=setup.base.playlist)
    client.force_login(setup.listener)

    page = editor(client, setup.chill)

    assert 'id="unroutable-items"' not in page and "filters can route" not in page
