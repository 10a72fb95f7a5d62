"""The paths that used to lose a listener's music, each tried against the live sandbox, with the
children's contents read back from the sandbox itself (not from our mirror) before and after.

- a base that becomes unreadable: its owner turns collaboration off; the server's app goes
  from Extended to Development mode;
- a playlist attached as a child that is a base (or another base's child);
- a playlist listing that shifts between two pages while an import reads it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from library.models import ItemsStatus, Playlist
from routing.models import BasePlaylist, ChildPlaylist
from core.runs import RunStatus
from tests.routing.factories import BasePlaylistFactory
from tests.routing.route_support import SpotifyAs, add_child, route, writes_since
from tests.sync.import_support import connect, import_library, route_counts, set_mode

pytestmark = pytest.mark.django_db

EVERY_TRACK = {"match": "all", "conditions": []}


def _children_hold(spotify: SpotifyAs, children: list[ChildPlaylist]) -> dict[str, list[str]]:
    return {child.spotify_id: spotify.uris(child.spotify_id) for child in children}


# --- a base that becomes unreadable ---------------------------------------------------------------
def test_a_base_whose_owner_turns_collaboration_off_fails_its_route_and_leaves_the_children_alone(
    sandbox, settings
):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox, spotify_user="other")
    import_library(user)
    shared = Playlist.objects.get(user=user, owner_spotify_id="demo", collaborative=True)
    base = BasePlaylistFactory(user=user, playlist=shared)
    spotify = SpotifyAs(sandbox, user="other")
    child = add_child(sandbox, base, name="From the shared one", filters=EVERY_TRACK)
    assert route(base).status == RunStatus.SUCCEEDED
    before = _children_hold(spotify, [child])
    assert 0 < len(before[child.spotify_id]) <= shared.items_total  # its tracks, each once

    sandbox.mutate_playlist(shared.spotify_id, op="collaboration", collaborative=False)
    counts = route_counts(sandbox)
    straight_away = route(base)  # the route's own read of the base is refused

    import_library(user)  # the import can no longer read it either: the mirror keeps no items
    shared.refresh_from_db()
    assert (shared.items_status, shared.track_count) == (ItemsStatus.NOT_AVAILABLE, 0)
    after_import = route(base)

    for event in (straight_away, after_import):
        assert event.status == RunStatus.FAILED
        assert "no longer lets this app read the tracks" in event.error
        assert "No child playlist was changed" in event.error
    assert writes_since(counts, sandbox) == 0
    assert _children_hold(spotify, [child]) == before


def test_a_followed_base_read_in_extended_mode_fails_in_development_mode_touching_no_child(sandbox, settings):
    set_mode(sandbox, settings, "extended")
    user = connect(sandbox, spotify_user="other")
    crates = next(u for u in sandbox.control("GET", "users")["users"] if u["id"] == "crate_digger")
    followed_id = crates["owned_playlists"][0]
    sandbox.mutate_playlist(followed_id, op="follow", user="other")
    import_library(user)
    followed = Playlist.objects.get(user=user, spotify_id=followed_id)
    base = BasePlaylistFactory(user=user, playlist=followed)
    spotify = SpotifyAs(sandbox, user="other")
    children = [
        add_child(sandbox, base, name="Clean", filters={"match": "all", "conditions": [
            {"field": "explicit", "op": "is", "value": False}]}),
        add_child(sandbox, base, name="All of it", filters=EVERY_TRACK),
    ]  # fmt: skip
    assert route(base).status == RunStatus.SUCCEEDED
    before = _children_hold(spotify, children)
    assert 0 < len(before[children[1].spotify_id]) <= followed.items_total

    set_mode(sandbox, settings, "development")  # the operator's app lost Extended access
    counts = route_counts(sandbox)
    straight_away = route(base)
    import_library(user)
    after_import = route(base)

    for event in (straight_away, after_import):
        assert event.status == RunStatus.FAILED and "No child playlist was changed" in event.error
    assert writes_since(counts, sandbox) == 0
    assert _children_hold(spotify, children) == before


# --- children that are bases, or another base's children -----------------------------------------
def test_a_base_or_another_bases_child_is_refused_as_a_child_and_a_child_as_a_base(sandbox, settings):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox, spotify_user="other")
    import_library(user)
    gym = Playlist.objects.get(user=user, name="Gym 2025")
    mix = Playlist.objects.get(user=user, name="Second Listener's Mix")
    drafts = Playlist.objects.get(user=user, name="Drafts")
    api = APIClient()
    api.force_authenticate(user)
    gym_base = api.post("/api/base-playlists/", {"playlist": gym.pk}, format="json").json()
    mix_base = api.post("/api/base-playlists/", {"playlist": mix.pk}, format="json").json()
    taken = api.post(
        f"/api/base-playlists/{gym_base['id']}/children/",
        {"spotify_id": drafts.spotify_id, "name": "Drafts"},
        format="json",
    )
    assert (taken.status_code, taken.json()["mode"]) == (201, "add_only")  # it holds tracks
    spotify = SpotifyAs(sandbox, user="other")
    before = {pid: spotify.uris(pid) for pid in (gym.spotify_id, mix.spotify_id, drafts.spotify_id)}
    counts = route_counts(sandbox)

    base_as_child = api.post(
        f"/api/base-playlists/{gym_base['id']}/children/",
        {"spotify_id": mix.spotify_id, "name": "Mix", "mode": "rebuild", "replace_contents": True},
        format="json",
    )
    second_parent = api.post(
        f"/api/base-playlists/{mix_base['id']}/children/",
        {"spotify_id": drafts.spotify_id, "name": "Drafts", "mode": "add_only"},
        format="json",
    )
    child_as_base = api.post("/api/base-playlists/", {"playlist": drafts.pk}, format="json")

    assert base_as_child.status_code == second_parent.status_code == child_as_base.status_code == 409
    assert "is a base playlist: it cannot also be a child" in base_as_child.json()["detail"]
    assert "already a child of “Gym 2025”" in second_parent.json()["detail"]
    assert "is a child of “Gym 2025”: it cannot also be a base" in child_as_base.json()["detail"]
    assert ChildPlaylist.objects.filter(user=user).count() == 1 and BasePlaylist.objects.count() == 2
    assert {pid: spotify.uris(pid) for pid in before} == before  # refused: nothing was written
    # Both bases route (Drafts as Gym's add-only-by-default child): each writes only its own.
    for base_id in (gym_base["id"], mix_base["id"]):
        assert route(BasePlaylist.objects.get(pk=base_id)).status == RunStatus.SUCCEEDED
    gym_tracks = [uri for uri in before[gym.spotify_id] if uri]
    assert spotify.uris(gym.spotify_id) == before[gym.spotify_id]  # a base is never written
    assert spotify.uris(mix.spotify_id) == before[mix.spotify_id]
    assert spotify.uris(drafts.spotify_id)[: len(before[drafts.spotify_id])] == before[drafts.spotify_id]
    assert set(spotify.uris(drafts.spotify_id)) == set(before[drafts.spotify_id]) | set(gym_tracks)
    assert writes_since(counts, sandbox) >= 1


# --- a listing that shifts between pages ----------------------------------------------------------
def test_a_playlist_skipped_by_a_listing_that_shifted_between_pages_keeps_its_base_and_children(
    sandbox, settings
):
    set_mode(sandbox, settings, "development")
    spotify = SpotifyAs(sandbox, user="other")
    # 46 new playlists go to the top of the list: "Gym 2025" ends up first on the second page.
    extra = [spotify.create_playlist(f"Empty {n:02d}") for n in range(46)]
    user = connect(sandbox, spotify_user="other")
    import_library(user)
    gym = Playlist.objects.get(user=user, name="Gym 2025")
    assert gym.list_position == 51  # after Liked Songs (0) and 50 playlists
    base = BasePlaylistFactory(user=user, playlist=gym)
    child = add_child(sandbox, base, name="Gym, all of it", filters=EVERY_TRACK)
    assert route(base).status == RunStatus.SUCCEEDED
    before = _children_hold(spotify, [child])

    # Another client unfollows the newest playlist just after the first page was served.
    sandbox.fail_next(
        method="GET", path="/v1/me/playlists", kind="mutate_after",
        body={"playlist_id": extra[-1], "op": "unfollow", "user": "other"},
    )  # fmt: skip
    shifted = import_library(user)

    assert shifted.status == RunStatus.SUCCEEDED
    assert shifted.details["listing"] == {"complete": False, "not_seen": 0, "removed": 0}
    gym.refresh_from_db()
    assert not gym.not_seen  # skipped by the shift, not gone: untouched
    base.refresh_from_db()
    assert base.playlist == gym and list(base.children.all()) == [child]
    assert route(base).status == RunStatus.SUCCEEDED
    assert _children_hold(spotify, [child]) == before

    complete = import_library(user)  # whole again: only the unfollowed playlist is missing

    assert complete.details["listing"] == {"complete": True, "not_seen": 1, "removed": 0}
    assert Playlist.objects.get(user=user, spotify_id=extra[-1]).not_seen
    assert not Playlist.objects.get(pk=gym.pk).not_seen


# --- a base whose playlist leaves the library, and comes back ---------------------------------------
def test_a_base_whose_playlist_left_the_library_is_kept_disabled_and_comes_back_with_it(
    sandbox, settings, django_capture_on_commit_callbacks
):
    set_mode(sandbox, settings, "development")
    user = connect(sandbox, spotify_user="other")
    import_library(user)
    shared = Playlist.objects.get(user=user, owner_spotify_id="demo", collaborative=True)
    base = BasePlaylistFactory(user=user, playlist=shared)
    child = add_child(sandbox, base, name="Shared, clean", filters={"match": "all", "conditions": [
        {"field": "explicit", "op": "is", "value": False}]})  # fmt: skip
    assert route(base).status == RunStatus.SUCCEEDED
    spotify = SpotifyAs(sandbox, user="other")
    before = _children_hold(spotify, [child])
    api = APIClient()
    api.force_authenticate(user)

    sandbox.mutate_playlist(shared.spotify_id, op="unfollow", user="other")
    import_library(user)
    assert Playlist.objects.get(pk=shared.pk).not_seen
    assert "Not seen on Spotify" in _base_page(user, base)
    import_library(user)

    base.refresh_from_db()
    assert base.is_disabled and not Playlist.objects.filter(pk=shared.pk).exists()
    assert (
        list(base.children.all()) == [child]
        and child.filters == ChildPlaylist.objects.get(pk=child.pk).filters
    )
    refused = api.post(f"/api/base-playlists/{base.pk}/sync")
    assert refused.status_code == 409 and "no longer in your Spotify library" in refused.json()["detail"]
    assert "Disabled" in _base_page(user, base)
    assert _children_hold(spotify, [child]) == before

    sandbox.mutate_playlist(shared.spotify_id, op="follow", user="other")
    with django_capture_on_commit_callbacks(execute=True):  # routing links it on import_completed
        import_library(user)

    base.refresh_from_db()
    assert not base.is_disabled and base.playlist.spotify_id == shared.spotify_id
    assert route(base).status == RunStatus.SUCCEEDED
    assert _children_hold(spotify, [child]) == before


def _base_page(user, base) -> str:
    browser = Client()
    browser.force_login(user)
    return browser.get(f"/routing/{base.pk}/").content.decode()
