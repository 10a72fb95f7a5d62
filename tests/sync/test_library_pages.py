"""The Library page and a playlist's page: owner, stranger, anonymous; Spotify's order; paging."""

from __future__ import annotations

import re

import pytest

from library.models import ItemKind, ItemsStatus, PlaylistKind
from tests.accounts.factories import UserFactory
from tests.library.factories import ArtistFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


def test_the_library_lists_the_owners_playlists_in_spotifys_order_with_counts(client, owner):
    PlaylistFactory(user=owner, name="Zebra mix", list_position=2, items_total=12, track_count=12)
    PlaylistFactory(
        user=owner, name="Liked Songs", kind=PlaylistKind.LIKED_SONGS, list_position=0, track_count=5
    )
    PlaylistFactory(
        user=owner,
        name="Crate finds",
        list_position=1,
        items_total=40,
        track_count=0,
        items_status=ItemsStatus.NOT_AVAILABLE,
    )
    PlaylistFactory(name="Someone else's")
    client.force_login(owner)

    response = client.get("/library/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Liked Songs") < page.index("Crate finds") < page.index("Zebra mix")
    refused = page[page.index("Crate finds") : page.index("</tr>", page.index("Crate finds"))]
    assert "Items not available from Spotify" in refused and re.search(r">\s*40\s*<", refused)
    assert "3 playlists, 17 items" in page
    assert "Someone else" not in page


def test_an_empty_library_points_to_the_dashboard(client, owner):
    client.force_login(owner)

    assert "Start an import from the" in client.get("/library/").content.decode()


def test_the_library_page_costs_a_bounded_number_of_queries(client, owner, django_assert_max_num_queries):
    for _ in range(40):
        PlaylistFactory(user=owner)
    client.force_login(owner)

    with django_assert_max_num_queries(5):
        assert client.get("/library/").status_code == 200


def test_the_owner_sees_a_playlists_items_with_artists_and_albums(client, owner):
    playlist = PlaylistFactory(user=owner, name="Road trip", items_total=2, track_count=2)
    track = TrackFactory(
        name="Blue Monday", artist=ArtistFactory(name="New Order"), album__name="Power, Corruption"
    )
    PlaylistItemFactory(playlist=playlist, position=0, track=track)
    PlaylistItemFactory(playlist=playlist, position=1, kind=ItemKind.EPISODE, track=None, name="Episode 9")
    client.force_login(owner)

    response = client.get(f"/library/playlists/{playlist.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Road trip" in page and "Blue Monday" in page and "New Order" in page and "Power, Corruption" in page
    )
    assert "Episode 9" in page and "Podcast episode" in page


def test_a_refused_playlist_says_its_items_are_not_available_from_spotify(client, owner):
    playlist = PlaylistFactory(user=owner, items_status=ItemsStatus.NOT_AVAILABLE, items_total=40)
    client.force_login(owner)

    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()

    assert "Items not available from Spotify" in page


def test_a_long_playlist_is_paged_with_a_bounded_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    playlist = PlaylistFactory(user=owner)
    for position in range(130):
        PlaylistItemFactory(playlist=playlist, position=position, track__name=f"Song {position:03d}")
    client.force_login(owner)

    # +3 for the song analyses: the summary (2) and the page's badges (1).
    with django_assert_max_num_queries(10):
        first = client.get(f"/library/playlists/{playlist.pk}/").content.decode()
    second = client.get(f"/library/playlists/{playlist.pk}/?page=2").content.decode()

    assert "Song 099" in first and "Song 100" not in first and "Page 1 of 2" in first
    assert "Song 100" in second and "Song 129" in second


def test_a_stranger_gets_404_for_the_owners_playlist(client, owner):
    playlist = PlaylistFactory(user=owner)
    client.force_login(UserFactory())

    assert client.get(f"/library/playlists/{playlist.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/library/", "/library/playlists/{pk}/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, owner, path):
    playlist = PlaylistFactory(user=owner)

    response = client.get(path.format(pk=playlist.pk))

    assert response.status_code == 302 and response["Location"].startswith("/?next=")
