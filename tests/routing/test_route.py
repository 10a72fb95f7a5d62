"""Routing a base into its children on the live sandbox: the right tracks, with the fewest writes."""

from __future__ import annotations

import math

import pytest

from routing import tasks
from routing.models import ChildMode
from routing.services import run_control
from routing.services.route import run_route
from core.runs import RunStatus
from tests.routing.factories import RouteRunFactory
from tests.routing.route_support import (
    DELETE_ITEMS,
    NOT_EXPLICIT,
    POST_ITEMS,
    REPLACE_ITEMS,
    YEARS_2000_2015,
    SpotifyAs,
    add_child,
    expected_not_explicit,
    expected_years,
    imported_base,
    route,
    unique,
)
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["development", "extended"])
@pytest.mark.parametrize("child_mode", [ChildMode.REBUILD, ChildMode.ADD_ONLY])
def test_each_child_ends_up_with_exactly_the_base_tracks_its_filters_match(
    sandbox, settings, mode, child_mode, queue
):
    user, base = imported_base(sandbox, settings, mode=mode)
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT, mode=child_mode)
    noughties = add_child(sandbox, base, name="2000-2015", filters=YEARS_2000_2015, mode=child_mode)
    # The listener's own addition, from another playlist, outside both filters' reach.
    base_ids = set(spotify.track_ids(base.playlist.spotify_id))
    extra = next(
        obj["uri"]
        for playlist in user.playlists.exclude(pk=base.playlist_id).exclude(spotify_id="liked-songs")
        for obj in spotify.tracks(playlist.spotify_id)
        if obj["id"] not in base_ids
    )
    spotify.add(clean.spotify_id, [extra])
    spotify.add(noughties.spotify_id, [extra])

    event = route(base)

    if child_mode == ChildMode.REBUILD:
        # A first route removes nothing without asking: here the listener's own addition.
        assert event.status == RunStatus.WAITING
        asked = event.details["confirmation"]["children"]
        assert [(c["name"], c["removals"]) for c in asked] == [("Clean", [extra]), ("2000-2015", [extra])]
        assert spotify.track_ids(clean.spotify_id) == [extra.rsplit(":", 1)[-1]]
        run_control.confirm_route(run=event)
        event = run_route(run_id=event.pk)
    assert event.status == RunStatus.SUCCEEDED, event.error
    tracks = spotify.tracks(base.playlist.spotify_id)
    kept = [extra.rsplit(":", 1)[-1]] if child_mode == ChildMode.ADD_ONLY else []
    assert spotify.track_ids(clean.spotify_id) == kept + expected_not_explicit(tracks)
    assert spotify.track_ids(noughties.spotify_id) == kept + expected_years(tracks, 2000, 2015)
    assert (event.children_total, event.children_done, event.tracks) == (2, 2, len(tracks))
    assert event.spotify_requests > 0 and event.error == ""
    assert set(event.details["writes"]) == {clean.spotify_id, noughties.spotify_id}
    assert event.details["writes"][clean.spotify_id]["added"] == len(expected_not_explicit(tracks))


def test_first_match_only_gives_each_track_to_the_first_child_it_matches(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    base.first_match_only = True
    base.save()
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    noughties = add_child(sandbox, base, name="2000-2015", filters=YEARS_2000_2015)

    assert route(base).status == RunStatus.SUCCEEDED

    tracks = spotify.tracks(base.playlist.spotify_id)
    first = expected_not_explicit(tracks)
    assert spotify.track_ids(clean.spotify_id) == first
    assert spotify.track_ids(noughties.spotify_id) == [
        track_id for track_id in expected_years(tracks, 2000, 2015) if track_id not in first
    ]


def test_a_second_route_with_nothing_changed_makes_no_write_request(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    add_child(sandbox, base, name="Kept", filters=YEARS_2000_2015, mode=ChildMode.ADD_ONLY)
    assert route(base).status == RunStatus.SUCCEEDED
    before = route_counts(sandbox)

    second = route(base)

    assert second.status == RunStatus.SUCCEEDED
    made = requests_since(before, sandbox)
    assert POST_ITEMS not in made and DELETE_ITEMS not in made
    assert all(writes["write_requests"] == 0 for writes in second.details["writes"].values())


def test_a_track_removed_from_the_base_is_removed_only_from_the_rebuild_children_that_had_it(
    sandbox, settings
):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    everything = add_child(sandbox, base, name="All", filters={"match": "all", "conditions": []})
    kept = add_child(sandbox, base, name="Kept", filters=NOT_EXPLICIT, mode=ChildMode.ADD_ONLY)
    assert route(base).status == RunStatus.SUCCEEDED
    gone = expected_not_explicit(spotify.tracks(base.playlist.spotify_id))[0]
    sandbox.mutate_playlist(base.playlist.spotify_id, op="remove", uris=[f"spotify:track:{gone}"])
    clean_before = spotify.track_ids(clean.spotify_id)
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    made = requests_since(before, sandbox)
    # Clean and All, one request each: children of up to 100 tracks get one atomic PUT.
    small = all(len(spotify.track_ids(c.spotify_id)) <= 100 for c in (clean, everything))
    assert made.get(REPLACE_ITEMS if small else DELETE_ITEMS) == 2 and POST_ITEMS not in made
    assert spotify.track_ids(clean.spotify_id) == [t for t in clean_before if t != gone]
    assert gone not in spotify.track_ids(everything.spotify_id)
    assert gone in spotify.track_ids(kept.spotify_id)  # add_only never removes
    writes = event.details["writes"]
    assert (writes[clean.spotify_id]["removed"], writes[kept.spotify_id]["removed"]) == (1, 0)
    # The base changed on Spotify, so the run imported it again first.
    assert not base.playlist.items.filter(track_id=gone).exists()


def grow_base(sandbox, user, base, spotify: SpotifyAs) -> list[str]:
    """Add every track of `other`'s other playlists to the base, so it holds well over 100."""
    uris = [
        obj["uri"]
        for playlist in user.playlists.exclude(pk=base.playlist_id).exclude(spotify_id="liked-songs")
        for obj in spotify.tracks(playlist.spotify_id)
    ]
    sandbox.mutate_playlist(base.playlist.spotify_id, op="add", uris=uris)
    return unique(spotify.track_ids(base.playlist.spotify_id))


def test_a_child_needing_more_than_100_additions_gets_one_post_per_100_uris(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    wanted = grow_base(sandbox, user, base, spotify)
    assert len(wanted) > 100
    child = add_child(sandbox, base, name="All", filters={"match": "all", "conditions": []})
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert requests_since(before, sandbox)[POST_ITEMS] == math.ceil(len(wanted) / 100)
    assert spotify.track_ids(child.spotify_id) == wanted


def test_the_route_reads_the_mirror_in_a_bounded_number_of_queries_whatever_the_base_size(
    sandbox, settings, django_assert_max_num_queries
):
    user, base = imported_base(sandbox, settings)
    grow_base(sandbox, user, base, SpotifyAs(sandbox))
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    assert route(base).status == RunStatus.SUCCEEDED  # the grown base is in the mirror now
    event = RouteRunFactory(base=base)

    # Claim, children, base check and its verification, items, credits, ledger writes, the
    # children's routed_at: none of them per track; and the deployment's Spotify pause, read
    # before each of the route's two Spotify requests.
    with django_assert_max_num_queries(16):
        assert run_route(run_id=event.pk).status == RunStatus.SUCCEEDED


def test_the_route_task_runs_the_event_and_says_how_it_ended(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    event = RouteRunFactory(base=base)

    assert tasks.run_route(event.pk) == f"route #{event.pk}: succeeded"
    assert tasks.run_route(event.pk) == f"route #{event.pk}: succeeded"  # a second delivery does nothing
    assert tasks.run_route(999_999) == "route #999999: no such run"
