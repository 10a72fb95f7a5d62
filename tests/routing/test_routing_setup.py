"""Setting up routing: bases, children, their filters and order; ownership and the database's rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from library.models import ItemsStatus, Playlist, PlaylistKind
from routing import selectors
from routing.filters import POPULARITY_UNAVAILABLE, FilterValidationError
from routing.models import BasePlaylist, ChildMode, ChildPlaylist
from routing.services import setup as routing_setup
from routing.services.setup import (
    BaseAlreadyExists,
    BaseNotPossible,
    ChildAlreadyAttached,
    ChildNotAllowed,
    InvalidChildOrder,
    PlaylistAlreadyRouted,
    PlaylistNotFound,
    add_child_playlist,
    create_base_playlist,
    delete_child,
    reorder_children,
    update_base_options,
    update_child_filters,
)
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.filter_support import cond, doc

pytestmark = pytest.mark.django_db

EVERY_TRACK = {"match": "all", "conditions": []}
POPULAR = doc(cond("popularity", "between", {"min": 70}))


@pytest.fixture
def listener():
    return SpotifyCredentialFactory(spotify_user_id="listener-on-spotify").user


@pytest.fixture
def base(listener):
    return BasePlaylistFactory(user=listener, playlist__owner_spotify_id="listener-on-spotify")


def add(base, spotify_id: str, *, mirrored: bool = True, **overrides) -> ChildPlaylist:
    """A rebuild child, its replacement confirmed (the tests of that rule pass their own). With
    `mirrored`, the listener's own playlist of that id is in the mirror (made unless it is there)."""
    if mirrored and not Playlist.objects.filter(user=base.user, spotify_id=spotify_id).exists():
        PlaylistFactory(user=base.user, spotify_id=spotify_id, owner_spotify_id="listener-on-spotify")
    values = {
        "name": f"Child {spotify_id}",
        "mode": ChildMode.REBUILD,
        "filters": EVERY_TRACK,
        "replace_contents": True,
    }
    values.update(overrides)
    return add_child_playlist(base=base, spotify_id=spotify_id, **values)


def positions(base) -> list[tuple[str, int]]:
    return list(
        ChildPlaylist.objects.filter(base=base).order_by("position").values_list("spotify_id", "position")
    )


# --- bases ------------------------------------------------------------------------------------
def test_a_listener_makes_one_of_their_playlists_a_base_with_its_options(listener):
    playlist = PlaylistFactory(user=listener)
    base = create_base_playlist(
        user=listener, playlist=playlist, first_match_only=True, auto_route_after_import=True
    )
    base.refresh_from_db()
    assert (base.user, base.playlist, base.first_match_only, base.auto_route_after_import) == (
        listener, playlist, True, True
    )  # fmt: skip


def test_liked_songs_can_be_a_base(listener):
    liked = PlaylistFactory(user=listener, kind=PlaylistKind.LIKED_SONGS, spotify_id="liked-songs")
    assert create_base_playlist(user=listener, playlist=liked).playlist == liked


def test_a_listener_cannot_make_another_users_playlist_a_base(listener):
    strangers = PlaylistFactory(user=UserFactory())
    with pytest.raises(PlaylistNotFound):
        create_base_playlist(user=listener, playlist=strangers)
    assert not BasePlaylist.objects.exists()


def test_a_playlist_whose_items_spotify_refuses_cannot_be_a_base(listener):
    followed = PlaylistFactory(user=listener, items_status=ItemsStatus.NOT_AVAILABLE, name="Top 50")
    with pytest.raises(BaseNotPossible, match="Top 50"):
        create_base_playlist(user=listener, playlist=followed)


def test_a_playlist_is_a_base_only_once_and_the_error_carries_the_existing_one(base):
    with pytest.raises(BaseAlreadyExists) as refused:
        create_base_playlist(user=base.user, playlist=base.playlist)
    assert refused.value.existing == base
    assert BasePlaylist.objects.count() == 1


def test_base_options_change_only_when_given(base):
    update_base_options(base=base, first_match_only=True)
    update_base_options(base=base, auto_route_after_import=True)
    base.refresh_from_db()
    assert (base.first_match_only, base.auto_route_after_import) == (True, True)


# --- adding children --------------------------------------------------------------------------
def test_children_take_the_next_position_in_the_order_they_are_added(base):
    for spotify_id in ("first", "second", "third"):
        add(base, spotify_id)
    assert positions(base) == [("first", 0), ("second", 1), ("third", 2)]


def test_a_child_the_listener_owns_in_the_mirror_is_linked_to_it(base, listener):
    owned = PlaylistFactory(user=listener, spotify_id="ownedByMe", owner_spotify_id="listener-on-spotify")
    child = add(base, "ownedByMe", name="  Indie   picks ", mode=ChildMode.ADD_ONLY)
    child.refresh_from_db()
    assert (child.playlist, child.name, child.mode) == (owned, "Indie picks", ChildMode.ADD_ONLY)


def test_a_child_linernotes_just_created_on_spotify_is_accepted_before_any_import_sees_it(base):
    assert add(base, "brandNewOnSpotify", mirrored=False, known_empty=True).playlist is None


def test_an_id_no_import_has_seen_is_refused_whatever_it_names_on_spotify(base):
    # A track's id, someone else's playlist, or nothing: a route would fail on it every time.
    with pytest.raises(ChildNotAllowed, match="No playlist with this id is in your library"):
        add(base, "4uLU6hMCjMI75M1A2tKUQC", mirrored=False)
    assert not ChildPlaylist.objects.exists()


def test_a_playlist_the_listener_follows_but_does_not_own_cannot_be_a_child(base, listener):
    PlaylistFactory(
        user=listener, spotify_id="someoneElses", owner_spotify_id="dj", owner_name="DJ", name="Hits"
    )
    with pytest.raises(ChildNotAllowed, match="“Hits” is not yours \\(it belongs to DJ\\)"):
        add(base, "someoneElses")
    assert not ChildPlaylist.objects.exists()


def test_without_a_spotify_connection_ownership_cannot_be_confirmed():
    user = UserFactory()
    base = BasePlaylistFactory(user=user)
    PlaylistFactory(user=user, spotify_id="mine", owner_spotify_id="whoever")
    with pytest.raises(ChildNotAllowed):
        add(base, "mine")


def test_another_users_mirrored_playlist_does_not_make_an_id_the_listeners_own(base):
    PlaylistFactory(user=UserFactory(), spotify_id="sharedId", owner_spotify_id="listener-on-spotify")
    with pytest.raises(ChildNotAllowed, match="No playlist with this id is in your library"):
        add(base, "sharedId", mirrored=False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"spotify_id": "liked-songs"}, "not a Spotify playlist id"),
        ({"spotify_id": "spotify:playlist:abc"}, "not a Spotify playlist id"),
        ({"spotify_id": ""}, "not a Spotify playlist id"),
        ({"name": "   "}, "Give the child playlist a name."),
        ({"name": "x" * 501}, "at most 500 characters"),
        ({"mode": "replace"}, "Choose a mode: rebuild or add_only."),
    ],
)
def test_bad_child_input_is_refused_with_a_message(base, overrides, message):
    values = {"spotify_id": "fine", "name": "Fine", "mode": ChildMode.REBUILD, "filters": EVERY_TRACK}
    values.update(overrides)
    with pytest.raises(ChildNotAllowed, match=message):
        add_child_playlist(base=base, **values)


def test_a_base_cannot_feed_itself(base):
    with pytest.raises(ChildNotAllowed, match="child of itself"):
        add(base, base.playlist.spotify_id)


def test_a_spotify_playlist_is_the_child_of_one_base_only(base, listener):
    first = add(base, "target")
    with pytest.raises(ChildAlreadyAttached) as refused:
        add(base, "target")
    assert refused.value.existing == first
    other_base = BasePlaylistFactory(user=listener)
    with pytest.raises(PlaylistAlreadyRouted) as elsewhere:
        add(other_base, "target")
    assert elsewhere.value.holder == first
    assert str(elsewhere.value) == (
        f"“Child target” is already a child of “{base.name}”: a playlist takes tracks from one base "
        "only, or each route would undo the other's. Detach it there first."
    )
    assert not ChildPlaylist.objects.filter(base=other_base).exists()


def test_a_childs_filters_are_validated_and_stored_normalised(base):
    child = add(base, "rock", filters=doc(cond("genre", "any_of", ["Indie  Rock"]), match="any"))
    child.refresh_from_db()
    assert child.filters == {
        "match": "any",
        "conditions": [{"field": "genre", "op": "any_of", "value": ["indie rock"]}],
    }


def test_invalid_filters_refuse_the_child_with_field_level_errors(base):
    with pytest.raises(FilterValidationError) as refused:
        add(base, "bad", filters=doc(cond("release_year", "between", {"min": 2001, "max": 2000})))
    assert refused.value.errors == {"conditions": {"0": {"value": ["In the year range, the minimum must not be above the maximum."]}}}
    assert not ChildPlaylist.objects.exists()


def test_popularity_filters_follow_the_app_mode(base, settings):
    settings.SPOTIFY_APP_MODE = "development"
    with pytest.raises(FilterValidationError) as refused:
        add(base, "popular", filters=POPULAR)
    assert refused.value.errors == {"conditions": {"0": {"field": [POPULARITY_UNAVAILABLE]}}}
    settings.SPOTIFY_APP_MODE = "extended"
    assert add(base, "popular", filters=POPULAR).filters["conditions"][0]["field"] == "popularity"


# --- changing children ------------------------------------------------------------------------
def test_updating_filters_stores_the_normalised_document(base):
    child = add(base, "c")
    update_child_filters(child=child, filters=doc(cond("keyword", "contains", "  live  ")))
    child.refresh_from_db()
    assert child.filters["conditions"] == [{"field": "keyword", "op": "contains", "value": "live"}]


def test_refused_filters_leave_the_stored_ones_alone(base):
    child = add(base, "c", filters=doc(cond("explicit", "is", False)))
    with pytest.raises(FilterValidationError):
        update_child_filters(child=child, filters=doc(cond("explicit", "is", "no")))
    child.refresh_from_db()
    assert child.filters == doc(cond("explicit", "is", False))


def test_reordering_puts_the_children_in_the_given_order(base, django_assert_max_num_queries):
    a, b, c = add(base, "a"), add(base, "b"), add(base, "c")
    # The lock, the active-route check, one read, two updates, the answer (and the savepoint).
    with django_assert_max_num_queries(8):
        reordered = reorder_children(base=base, child_ids=[c.pk, a.pk, b.pk])
    assert [child.spotify_id for child in reordered] == ["c", "a", "b"]
    assert positions(base) == [("c", 0), ("a", 1), ("b", 2)]


@pytest.mark.parametrize("order", ["missing", "duplicated", "foreign", "unknown"])
def test_a_reorder_must_list_every_child_of_the_base_exactly_once(base, listener, order):
    a, b = add(base, "a"), add(base, "b")
    foreign = ChildPlaylistFactory(base=BasePlaylistFactory(user=listener))
    child_ids = {
        "missing": [b.pk],
        "duplicated": [b.pk, a.pk, a.pk],
        "foreign": [b.pk, a.pk, foreign.pk],
        "unknown": [b.pk, 999_999],
    }[order]
    with pytest.raises(InvalidChildOrder):
        reorder_children(base=base, child_ids=child_ids)
    assert positions(base) == [("a", 0), ("b", 1)]


def test_deleting_a_child_closes_the_gap_and_the_next_child_goes_last(base):
    add(base, "a")
    middle = add(base, "b")
    add(base, "c")
    delete_child(child=middle)
    assert positions(base) == [("a", 0), ("c", 1)]
    add(base, "d")
    assert positions(base) == [("a", 0), ("c", 1), ("d", 2)]


def test_a_change_to_a_base_deleted_meanwhile_is_refused(base):
    child = add(base, "a")
    BasePlaylist.objects.filter(pk=base.pk).delete()
    with pytest.raises(PlaylistNotFound):
        add(base, "b")
    with pytest.raises(PlaylistNotFound):
        reorder_children(base=base, child_ids=[child.pk])


# --- the database's rules ---------------------------------------------------------------------
def test_the_database_refuses_two_children_at_one_position(base):
    ChildPlaylistFactory(base=base, position=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPlaylistFactory(base=base, position=0)


def test_the_database_refuses_one_spotify_playlist_twice_under_one_base(base):
    ChildPlaylistFactory(base=base, spotify_id="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPlaylistFactory(base=base, spotify_id="same")


def test_the_database_refuses_a_second_base_on_one_playlist(base):
    with pytest.raises(IntegrityError), transaction.atomic():
        BasePlaylist.objects.create(user=base.user, playlist=base.playlist)


def test_the_database_refuses_an_unknown_mode(base):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPlaylistFactory(base=base, mode="sometimes")


def test_bases_and_children_outlive_their_mirrored_rows_and_the_base_is_disabled(base, listener):
    mirrored = PlaylistFactory(user=listener, spotify_id="kept", owner_spotify_id="listener-on-spotify")
    other_base = BasePlaylistFactory(user=listener)
    child = add(other_base, "kept")
    add(base, "stays", filters=doc(cond("explicit", "is", False)))
    mirrored.delete()
    child.refresh_from_db()
    assert child.playlist is None
    base.playlist.delete()
    base.refresh_from_db()
    assert base.is_disabled and base.name and base.spotify_id
    stays = ChildPlaylist.objects.get(spotify_id="stays")
    assert stays.base == base and stays.filters == doc(cond("explicit", "is", False))


# --- model validation (admin, forms) --------------------------------------------------------------
def test_full_clean_normalises_a_childs_filters_in_the_current_mode(base, settings):
    settings.SPOTIFY_APP_MODE = "development"
    child = ChildPlaylistFactory.build(base=base, position=0, filters=doc(cond("genre", "any_of", ["ROCK"])))
    child.full_clean()
    assert child.filters["conditions"][0]["value"] == ["rock"]
    child.filters = POPULAR
    with pytest.raises(ValidationError) as refused:
        child.full_clean()
    assert refused.value.message_dict["filters"] == [f"conditions.0.field: {POPULARITY_UNAVAILABLE}"]


def test_full_clean_refuses_links_to_another_users_playlists(base):
    strangers = PlaylistFactory(user=UserFactory())
    child = ChildPlaylistFactory.build(base=base, position=0, playlist=strangers)
    with pytest.raises(ValidationError) as refused:
        child.full_clean()
    assert "playlist" in refused.value.message_dict
    with pytest.raises(ValidationError):
        BasePlaylist(user=base.user, playlist=strangers).full_clean()


# --- reads ------------------------------------------------------------------------------------
def test_reads_are_scoped_to_the_owner(base, listener):
    child = add(base, "a")
    stranger = UserFactory()
    assert list(selectors.list_base_playlists(user=listener)) == [base]
    assert selectors.get_base_playlist(user=listener, base_id=base.pk) == base
    assert selectors.get_child_playlist(user=listener, child_id=child.pk) == child
    assert list(selectors.list_child_playlists(base=base)) == [child]
    assert list(selectors.list_base_playlists(user=stranger)) == []
    assert selectors.get_base_playlist(user=stranger, base_id=base.pk) is None
    assert selectors.get_child_playlist(user=stranger, child_id=child.pk) is None


def test_the_domain_errors_share_one_base_class():
    errors = [
        PlaylistNotFound,
        BaseNotPossible,
        BaseAlreadyExists,
        ChildNotAllowed,
        ChildAlreadyAttached,
        InvalidChildOrder,
    ]
    assert all(issubclass(error, routing_setup.RoutingSetupError) for error in errors)
