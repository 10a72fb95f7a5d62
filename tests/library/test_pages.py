"""The Library page searched and sorted (GET `q` and `sort`), its covers and its counts; a playlist's
page saying what its items are. Owner and stranger: a listener never sees another's playlists.
(Spotify's order, paging and anonymous visitors: tests/sync/test_library_pages.py.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from library.models import ItemKind, ItemsStatus, PlaylistKind
from tests.accounts.factories import UserFactory
from tests.library.factories import AlbumFactory, PlaylistFactory, PlaylistItemFactory, TrackFactory
from tests.support.tables import stacked_table_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def names_in_order(page: str) -> list[str]:
    """The playlists' names as the table lists them."""
    return re.findall(r'<a href="/library/playlists/\d+/">([^<]*)</a>', page)


def library(client, **params) -> str:
    response = client.get("/library/", params)
    assert response.status_code == 200
    return response.content.decode()


# --- search -------------------------------------------------------------------------------------
def test_a_search_lists_the_owners_playlists_whose_name_contains_it_in_any_case(client, owner):
    PlaylistFactory(user=owner, name="Road Trip", list_position=1)
    PlaylistFactory(user=owner, name="Chill", list_position=2)
    PlaylistFactory(user=owner, name="Back roads", list_position=3)
    PlaylistFactory(name="Road to a stranger's house")

    page = library(client, q="  ROAD ")

    assert names_in_order(page) == ["Road Trip", "Back roads"]
    assert "2 playlists whose name contains “ROAD”" in page
    assert 'value="ROAD"' in page  # the box keeps the search
    assert "stranger" not in page


def test_a_stranger_searching_for_the_owners_playlist_finds_only_their_own(client, owner):
    PlaylistFactory(user=owner, name="Road Trip")
    stranger = UserFactory()
    PlaylistFactory(user=stranger, name="Roadside")
    client.force_login(stranger)

    page = library(client, q="road")

    assert names_in_order(page) == ["Roadside"]
    assert "Road Trip" not in page


def test_a_search_that_finds_nothing_says_so_and_offers_the_whole_list(client, owner):
    PlaylistFactory(user=owner, name="Road Trip")

    page = library(client, q="opera")

    assert names_in_order(page) == []
    assert "None of your playlists has “opera” in its name" in page and 'href="/library/"' in page


def test_a_search_is_text_not_a_pattern(client, owner):
    PlaylistFactory(user=owner, name="100% Focus")
    PlaylistFactory(user=owner, name="1000 Hours")

    assert names_in_order(library(client, q="%")) == ["100% Focus"]
    assert names_in_order(library(client, q="_")) == []


# --- sort ---------------------------------------------------------------------------------------
def test_sorting_by_name_is_alphabetical_whatever_the_case(client, owner):
    for position, name in enumerate(["beta", "Gamma", "alpha", "Delta"]):
        PlaylistFactory(user=owner, name=name, list_position=position)

    page = library(client, sort="name")

    assert names_in_order(page) == ["alpha", "beta", "Delta", "Gamma"]
    assert re.search(r'<option value="name" selected>', page)
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?sort=name">Playlist</a>', page)


def test_sorting_by_items_puts_the_biggest_first_and_keeps_spotifys_order_for_ties(client, owner):
    PlaylistFactory(user=owner, name="Small", items_total=3, list_position=1)
    PlaylistFactory(user=owner, name="Big", items_total=300, list_position=2)
    PlaylistFactory(user=owner, name="Tied first", items_total=30, list_position=3)
    PlaylistFactory(user=owner, name="Tied second", items_total=30, list_position=4)

    assert names_in_order(library(client, sort="items")) == ["Big", "Tied first", "Tied second", "Small"]


def test_sorting_by_last_added_puts_the_newest_first_and_undated_playlists_last(client, owner):
    older = PlaylistFactory(user=owner, name="Older", list_position=1)
    PlaylistItemFactory(playlist=older, added_at=datetime(2024, 5, 1, tzinfo=UTC))
    empty = PlaylistFactory(
        user=owner, name="Refused", list_position=2, items_status=ItemsStatus.NOT_AVAILABLE
    )
    newer = PlaylistFactory(user=owner, name="Newer", list_position=3)
    PlaylistItemFactory(playlist=newer, position=0, added_at=datetime(2023, 1, 1, tzinfo=UTC))
    PlaylistItemFactory(playlist=newer, position=1, added_at=datetime(2025, 2, 3, tzinfo=UTC))

    page = library(client, sort="added")

    assert names_in_order(page) == ["Newer", "Older", empty.name]
    assert '<time datetime="2025-02-03T00:00:00+00:00">3 Feb 2025</time>' in page


@pytest.mark.parametrize("sort", ["list_position", "-name", "name; drop table", "__class__", "", "NAME"])
def test_an_unknown_sort_falls_back_to_spotifys_order_without_an_error(client, owner, sort):
    PlaylistFactory(user=owner, name="B first on Spotify", list_position=1)
    PlaylistFactory(user=owner, name="A second on Spotify", list_position=2)

    page = library(client, sort=sort)

    assert names_in_order(page) == ["B first on Spotify", "A second on Spotify"]
    assert '<option value="spotify" selected>' in page


def test_the_pages_of_a_sorted_search_keep_the_search_and_the_order(client, owner):
    for n in range(130):
        PlaylistFactory(user=owner, name=f"Mix {n:03d}")
    PlaylistFactory(user=owner, name="Other")

    first = library(client, q="mix", sort="name")
    second = library(client, q="mix", sort="name", page=2)

    assert 'href="?q=mix&amp;sort=name&amp;page=2"' in first and "Page 1 of 2" in first
    assert names_in_order(second) == [f"Mix {n:03d}" for n in range(100, 130)]
    assert "130 playlists whose name contains “mix”" in second


def test_a_searched_and_sorted_library_costs_a_bounded_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    for n in range(40):
        playlist = PlaylistFactory(user=owner, name=f"Mix {n}", image_url=f"https://i.scdn.co/image/{n}")
        PlaylistItemFactory(playlist=playlist, added_at=datetime(2024, 1, 1 + n % 28, tzinfo=UTC))

    # Session, user, the totals, the page's count and the page.
    with django_assert_max_num_queries(5):
        page = library(client, q="mix", sort="added")
    assert len(names_in_order(page)) == 40


# --- covers and counts --------------------------------------------------------------------------
def test_covers_are_lazy_images_over_a_placeholder_and_a_playlist_without_one_keeps_the_placeholder(
    client, owner
):
    PlaylistFactory(user=owner, name="With cover", image_url="https://i.scdn.co/image/abc")
    PlaylistFactory(user=owner, name="Without cover", image_url="")
    PlaylistFactory(user=owner, name="Liked Songs", kind=PlaylistKind.LIKED_SONGS, image_url="")

    page = library(client)

    rows = {name: row for row in page.split("<tr>")[1:] for name in names_in_order(row)}
    assert re.search(
        r'<span class="cover cover-sm"><img src="https://i.scdn.co/image/abc" alt="" loading="lazy"[^>]*'
        r'width="40" height="40">',
        rows["With cover"],
    )
    assert '<span class="cover cover-sm"></span>' in rows["Without cover"]
    assert '<span class="cover cover-sm cover-liked"></span>' in rows["Liked Songs"]


def test_the_totals_say_how_the_count_relates_to_the_playlists_spotify_lists(client, owner):
    PlaylistFactory(user=owner, name="Liked Songs", kind=PlaylistKind.LIKED_SONGS, track_count=1200)
    PlaylistFactory(user=owner, track_count=10)
    PlaylistFactory(user=owner, track_count=5)
    gone = datetime(2026, 1, 1, tzinfo=UTC)
    PlaylistFactory(user=owner, track_count=2, missing_since=gone, missing_imports=1)
    PlaylistFactory(track_count=99)  # a stranger's

    page = library(client)

    assert "4 playlists, 1,217 items mirrored from Spotify." in page
    assert (
        "That is the 2 playlists Spotify lists for you, plus your Liked Songs and 1 Spotify no "
        "longer lists (kept until the next import misses it too)." in page
    )


# --- one playlist -------------------------------------------------------------------------------
def test_a_playlist_of_mixed_items_says_how_many_of_each_kind_it_holds(client, owner):
    playlist = PlaylistFactory(user=owner, items_total=7, track_count=7)
    twice = TrackFactory(name="Played twice")
    PlaylistItemFactory(playlist=playlist, position=0, track=twice)
    PlaylistItemFactory(playlist=playlist, position=1, track=twice)
    PlaylistItemFactory(playlist=playlist, position=2)
    for position in (3, 4):
        PlaylistItemFactory(playlist=playlist, position=position, kind=ItemKind.LOCAL, track=None)
    PlaylistItemFactory(playlist=playlist, position=5, kind=ItemKind.EPISODE, track=None, name="Episode 9")
    PlaylistItemFactory(playlist=playlist, position=6, kind=ItemKind.UNAVAILABLE, track=None)

    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()

    assert (
        "7 items: 3 songs, 2 local files, 1 podcast episode, 1 no longer available on Spotify"
        in re.sub(r"\s+", " ", page)
    )
    # The analysis counts songs once each, and says so.
    assert "0 of the 2 different songs analysed" in page


def test_a_playlist_of_songs_only_counts_songs_with_thousands_separated(client, owner):
    playlist = PlaylistFactory(user=owner, items_total=1001, track_count=1001)
    PlaylistItemFactory.create_batch(1001, playlist=playlist)

    page = re.sub(r"\s+", " ", client.get(f"/library/playlists/{playlist.pk}/").content.decode())

    assert "1,001 songs" in page and "items:" not in page
    assert "0 of 1,001 songs analysed" in page


def test_a_playlist_whose_items_spotify_refuses_counts_what_spotify_says(client, owner):
    playlist = PlaylistFactory(user=owner, items_status=ItemsStatus.NOT_AVAILABLE, items_total=40)

    page = re.sub(r"\s+", " ", client.get(f"/library/playlists/{playlist.pk}/").content.decode())

    assert "40 items on Spotify" in page and "songs" not in page


def test_the_playlist_page_shows_its_cover_and_each_songs_album_art(client, owner):
    playlist = PlaylistFactory(user=owner, image_url="https://i.scdn.co/image/cover")
    album = AlbumFactory(image_url="https://i.scdn.co/image/album")
    PlaylistItemFactory(playlist=playlist, position=0, track=TrackFactory(album=album))
    PlaylistItemFactory(playlist=playlist, position=1, track=TrackFactory(album=AlbumFactory(image_url="")))
    PlaylistItemFactory(playlist=playlist, position=2, kind=ItemKind.EPISODE, track=None, name="Episode 9")

    page = client.get(f"/library/playlists/{playlist.pk}/").content.decode()

    cover = r'<span class="cover cover-lg"><img src="https://i.scdn.co/image/cover"[^>]*width="160"'
    album_art = r'<span class="cover cover-xs"><img src="https://i.scdn.co/image/album"[^>]*width="32"'
    assert re.search(cover, page) and re.search(album_art, page)
    assert page.count('<span class="cover cover-xs"></span>') == 2  # no album art; an episode


def test_a_stranger_gets_404_for_the_owners_playlist_and_no_count_of_it(client, owner):
    playlist = PlaylistFactory(user=owner, name="Private mix")
    client.force_login(UserFactory())

    response = client.get(f"/library/playlists/{playlist.pk}/")

    assert response.status_code == 404 and "Private mix" not in response.content.decode()


def test_on_a_phone_each_cell_of_the_library_and_a_playlist_is_named_by_its_column(client, owner):
    """The tables stack below 40rem: a cell's line reads "Album: …" from its data-label."""
    playlist = PlaylistFactory(user=owner, name="Road trip")
    PlaylistItemFactory(playlist=playlist, position=0, track=TrackFactory())
    PlaylistItemFactory(playlist=playlist, position=1, kind=ItemKind.EPISODE, track=None, name="Episode 9")

    for page in (library(client), client.get(f"/library/playlists/{playlist.pk}/").content.decode()):
        assert stacked_table_problems(page) == (1, [])
