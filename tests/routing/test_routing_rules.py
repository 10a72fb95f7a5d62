"""Children safe by construction: one part per playlist in the database, the safe default mode,
and "replace its contents" before rebuilding a playlist that holds tracks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from library.models import Playlist
from routing.display import base_candidates
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, RoutedPlaylist
from routing.services import spotify_children
from routing.services.links import link_to_mirror
from routing.services.setup import (
    ChildNotAllowed,
    PlaylistAlreadyRouted,
    ReplaceNotConfirmed,
    add_child_playlist,
    create_base_playlist,
    delete_base,
    delete_child,
    update_child,
)
from tests.accounts.factories import SpotifyCredentialFactory
from tests.library.factories import PlaylistFactory
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory

pytestmark = pytest.mark.django_db

EVERY_TRACK = {"match": "all", "conditions": []}
ME = "me-on-spotify"


@pytest.fixture
def base():
    user = SpotifyCredentialFactory(spotify_user_id=ME).user
    return BasePlaylistFactory(user=user, playlist__owner_spotify_id=ME)


def mine(base, **fields):
    return PlaylistFactory(user=base.user, owner_spotify_id=ME, **fields)


def attach(base, playlist, **fields):
    values = {"name": playlist.name, "filters": EVERY_TRACK, "mode": None, **fields}
    return add_child_playlist(base=base, spotify_id=playlist.spotify_id, **values)


# --- the database's rule ----------------------------------------------------------------------------
def test_the_database_refuses_a_second_part_for_the_same_playlist_of_a_listener(base):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutedPlaylist.objects.create(
            user=base.user, spotify_id=base.spotify_id, child=ChildPlaylistFactory(base=base)
        )


def test_the_database_refuses_a_claim_that_is_both_or_neither_a_base_and_a_child(base):
    child = ChildPlaylistFactory(base=base)
    RoutedPlaylist.objects.filter(child=child).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutedPlaylist.objects.create(user=base.user, spotify_id="x1", base=base, child=child)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutedPlaylist.objects.create(user=base.user, spotify_id="x2")


def test_another_listener_may_route_a_playlist_with_the_same_id(base):
    other = BasePlaylistFactory()
    ChildPlaylistFactory(base=other, spotify_id="sharedid0000")
    assert ChildPlaylistFactory(base=base, spotify_id="sharedid0000").claim.user == base.user


def test_a_child_cannot_become_a_base_until_it_is_detached(base):
    playlist = mine(base, items_total=0)
    child = attach(base, playlist)
    with pytest.raises(PlaylistAlreadyRouted, match="is a child of .*: it cannot also be a base"):
        create_base_playlist(user=base.user, playlist=playlist)
    assert BasePlaylist.objects.filter(user=base.user).count() == 1

    delete_child(child=child)

    assert create_base_playlist(user=base.user, playlist=playlist).claim.spotify_id == playlist.spotify_id


def test_deleting_a_base_frees_its_playlist_and_its_childrens_playlists(base):
    first, second = mine(base, items_total=0), mine(base, items_total=0)
    attach(base, first)
    attach(base, second)
    assert RoutedPlaylist.objects.filter(user=base.user).count() == 3

    delete_base(base=base)

    assert not RoutedPlaylist.objects.filter(user=base.user).exists()
    assert create_base_playlist(user=base.user, playlist=first).playlist == first


def test_a_base_cannot_take_its_own_playlist_or_another_base_as_child(base):
    other = BasePlaylistFactory(user=base.user, playlist__owner_spotify_id=ME)
    with pytest.raises(PlaylistAlreadyRouted, match="is a base playlist: it cannot also be a child"):
        attach(base, other.playlist)
    assert not ChildPlaylist.objects.exists()


def test_the_pages_offer_neither_bases_nor_children_as_new_children_or_children_as_new_bases(base):
    free, taken = mine(base, items_total=3), mine(base, items_total=3, name="Taken")
    other = BasePlaylistFactory(user=base.user, playlist__owner_spotify_id=ME)
    attach(other, taken)

    assert list(spotify_children.owned_playlist_choices(base=base)) == [free]
    reasons = dict((p.pk, why) for p, why in base_candidates(user=base.user).impossible)
    assert reasons[taken.pk] == f"a child of “{other.name}” (a child cannot also be a base)"
    assert reasons[base.playlist_id] == "already a base playlist"


# --- the safe default mode -------------------------------------------------------------------------
def test_a_playlist_that_holds_tracks_is_attached_add_only_by_default_and_an_empty_one_rebuilds(base):
    assert attach(base, mine(base, items_total=37)).mode == ChildMode.ADD_ONLY
    assert attach(base, mine(base, items_total=0)).mode == ChildMode.REBUILD


def test_a_playlist_no_import_has_seen_is_refused_unless_linernotes_just_made_it_and_then_rebuilds(base):
    with pytest.raises(ChildNotAllowed, match="No playlist with this id is in your library"):
        add_child_playlist(base=base, spotify_id="unseen000001", name="Unseen", mode=None, filters=EVERY_TRACK)
    made = add_child_playlist(
        base=base, spotify_id="justmade0001", name="New", mode=None, filters=EVERY_TRACK, known_empty=True
    )
    assert made.mode == ChildMode.REBUILD


def test_rebuilding_a_playlist_that_holds_tracks_needs_replace_its_contents(base):
    curated = mine(base, items_total=37, name="Hand-picked")
    with pytest.raises(ReplaceNotConfirmed) as refused:
        attach(base, curated, mode=ChildMode.REBUILD)
    assert str(refused.value) == (
        "“Hand-picked” holds 37 items (as last imported). Rebuild replaces its contents with the base's "
        "matching tracks: confirm “replace its contents”, or choose add only to keep what it has."
    )
    assert not ChildPlaylist.objects.filter(spotify_id=curated.spotify_id).exists()
    assert not RoutedPlaylist.objects.filter(spotify_id=curated.spotify_id).exists()

    assert attach(base, curated, mode=ChildMode.REBUILD, replace_contents=True).mode == ChildMode.REBUILD


def test_switching_an_add_only_child_that_holds_tracks_to_rebuild_needs_the_same_confirmation(base):
    child = attach(base, mine(base, items_total=5))
    with pytest.raises(ReplaceNotConfirmed, match="holds 5 items"):
        update_child(child=child, mode=ChildMode.REBUILD)
    child.refresh_from_db()
    assert child.mode == ChildMode.ADD_ONLY

    assert update_child(child=child, mode=ChildMode.REBUILD, replace_contents=True).mode == ChildMode.REBUILD
    # Already rebuilding: editing it again asks nothing.
    assert update_child(child=child, mode=ChildMode.REBUILD, name="Renamed").name == "Renamed"


# --- links to the mirror ---------------------------------------------------------------------------
def test_every_unlinked_base_and_child_whose_playlist_is_in_the_mirror_links_up_again(base):
    child = attach(base, mine(base, items_total=0))
    gone = BasePlaylistFactory(user=base.user)
    gone_spotify_id = gone.spotify_id
    # Unlinked by an earlier deletion, the rows back in the mirror since (say an import that failed later).
    BasePlaylist.objects.filter(pk=base.pk).update(playlist=None, name="Old name")
    ChildPlaylist.objects.filter(pk=child.pk).update(playlist=None)
    gone.playlist.delete()

    assert link_to_mirror(user_id=base.user_id, renamed=[]) == 2

    base.refresh_from_db()
    child.refresh_from_db()
    assert (base.playlist_id, base.name) == (
        Playlist.objects.get(user=base.user, spotify_id=base.spotify_id).pk,
        Playlist.objects.get(user=base.user, spotify_id=base.spotify_id).name,
    )
    assert child.playlist is not None
    assert BasePlaylist.objects.get(spotify_id=gone_spotify_id).is_disabled  # still gone


def test_linking_costs_one_query_when_nothing_is_unlinked_or_renamed(base, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert link_to_mirror(user_id=base.user_id, renamed=[]) == 0
