""""Why is this track here" on the pages and in the API: the child page lists its tracks with the
condition that sent each, and the route preview (its page, and the API's `track`) explains a
track the listener names. Owner, stranger (404) and anonymous for each."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistItemFactory
from tests.routing.routing_pages_support import page_text
from tests.routing.filter_support import cond, doc
from tests.routing.why_support import make_world, mirror, song

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = SpotifyCredentialFactory().user
    return make_world(user=owner)


def why_page(client, base, track=None):
    return client.get(f"/routing/{base.pk}/why/", {} if track is None else {"track": track})


def preview(api, base, **body):
    return api.post(f"/api/base-playlists/{base.pk}/preview", {"read_children": False, **body}, format="json")


# --- the child page -------------------------------------------------------------------------------
def test_the_child_page_lists_its_tracks_each_with_the_condition_that_sent_it(client, world, django_assert_max_num_queries):
    base, tracks, clean, tens = world
    mirror(clean, tracks["calm"], tracks["loud"])
    client.force_login(base.user)

    with django_assert_max_num_queries(40):
        page = page_text(client.get(f"/routing/children/{clean.pk}/"))

    assert 'id="child-track-list"' in page and 'class="list stacked"' in page
    assert "The track is not explicit: Spotify does not mark the track explicit." in page
    assert "The track is not explicit — not met: Spotify marks the track explicit." in page
    assert "The next route removes it" in page
    assert "route runs keep counts, not track lists" in page  # where the list comes from
    assert f"/routing/{base.pk}/why/?track={tracks['calm'].spotify_id}" in page


def test_a_child_never_imported_says_so_instead_of_an_empty_list(client, world):
    base, _, clean, _ = world
    client.force_login(base.user)

    page = page_text(client.get(f"/routing/children/{clean.pk}/"))

    assert "Linernotes has not imported this playlist yet" in page and "child-track-list" not in page


# --- the route preview page for one track -------------------------------------------------------
def test_the_why_page_answers_per_child_for_a_named_track(client, world, django_assert_max_num_queries):
    base, tracks, clean, tens = world
    client.force_login(base.user)

    with django_assert_max_num_queries(30):
        response = why_page(client, base, "Loud Night")

    page = page_text(response)
    assert response.status_code == 200
    assert "A route now would send “Loud Night” to “Tens”." in page
    assert "Release year is between 2010 and 2019: released in 2015." in page
    assert "The track is not explicit — not met: Spotify marks the track explicit." in page


def test_the_why_page_without_a_track_shows_its_form_and_the_base_page_links_to_it(client, world):
    base = world[0]
    client.force_login(base.user)

    assert why_page(client, base).status_code == 200
    assert f'action="/routing/{base.pk}/why/"' in page_text(client.get(f"/routing/{base.pk}/"))


@pytest.mark.parametrize(
    "track, message",
    [("", "Name a track"), ("nothing like it", "No track of “Everything” (as last imported) is named “nothing like it”.")],
)
def test_the_why_page_refuses_words_naming_nothing_with_a_form_error(client, world, track, message):
    base = world[0]
    client.force_login(base.user)

    response = why_page(client, base, track)

    assert response.status_code == 400
    assert message in page_text(response) and 'aria-invalid="true"' in page_text(response)


def test_a_stranger_gets_404_from_the_why_page_and_anonymous_is_sent_to_sign_in(client, world):
    base = world[0]
    client.force_login(SpotifyCredentialFactory().user)
    assert why_page(client, base, "Loud Night").status_code == 404

    client.logout()
    response = why_page(client, base, "Loud Night")
    assert response.status_code == 302 and response["Location"].startswith("/?next=/routing/")


# --- the API's preview --------------------------------------------------------------------------
def test_the_preview_api_explains_a_named_track_per_child(world):
    base, tracks, clean, tens = world
    mirror(clean, tracks["calm"])
    api = APIClient()
    api.force_authenticate(base.user)

    response = preview(api, base, track=f"spotify:track:{tracks['calm'].spotify_id}")

    assert response.status_code == 200, response.json()
    answer = response.json()["track"]
    assert answer["name"] == "Calm Waters" and answer["in_base"]
    first, second = answer["children"]
    assert (first["name"], first["routed"], first["in_child"]) == ("Clean", True, True)
    assert first["reasons"] == [
        {
            "condition": "the track is not explicit",
            "matched": True,
            "found": "Spotify does not mark the track explicit",
            "sentence": "The track is not explicit: Spotify does not mark the track explicit.",
        }
    ]
    assert (second["routed"], second["in_child"], second["mode"]) == (True, None, "add_only")
    assert preview(api, base).json()["track"] is None  # no track asked: none answered


def test_the_preview_api_explains_the_track_with_the_draft_it_previews(world):
    base, tracks, clean, tens = world
    api = APIClient()
    api.force_authenticate(base.user)
    explicit_only = doc(cond("explicit", "is", True))  # the listener is editing "Clean" into its opposite

    response = preview(api, base, track="Loud Night", child=clean.pk, filters=explicit_only)

    assert response.status_code == 200, response.json()
    body = response.json()
    drafted = next(child for child in body["children"] if child["child_id"] == clean.pk)
    verdict = next(child for child in body["track"]["children"] if child["name"] == "Clean")
    # The preview counts the explicit track in the draft, and the explanation says the same.
    assert drafted["matching"] == 1 and verdict["routed"] is True
    assert verdict["reasons"][0]["matched"] is True


@pytest.mark.parametrize("track", ["", "   ", "nothing like it", "x" * 301])
def test_the_preview_api_answers_400_about_the_track_field_for_words_naming_nothing(world, track):
    base = world[0]
    api = APIClient()
    api.force_authenticate(base.user)

    response = preview(api, base, track=track)

    assert response.status_code == 400 and list(response.json()) == ["track"]


def test_the_preview_api_with_a_track_is_404_for_a_stranger_and_401_for_anonymous(world):
    base = world[0]
    api = APIClient()
    api.force_authenticate(SpotifyCredentialFactory().user)
    assert preview(api, base, track="Loud Night").status_code == 404

    assert preview(APIClient(), base, track="Loud Night").status_code in (401, 403)


def test_the_child_pages_queries_do_not_grow_with_its_tracks(client, world):
    base, tracks, clean, _ = world
    playlist = mirror(clean, tracks["calm"])
    client.force_login(base.user)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/routing/children/{clean.pk}/")
    for number in range(20):
        extra = song(f"Extra {number}", year=2012)
        PlaylistItemFactory(playlist=base.playlist, track=extra)
        PlaylistItemFactory(playlist=playlist, track=extra)

    with CaptureQueriesContext(connection) as many:
        page = page_text(client.get(f"/routing/children/{clean.pk}/"))

    assert "Extra 19" in page and len(many.captured_queries) == len(few.captured_queries)
