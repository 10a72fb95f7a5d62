"""The dry run (what a route would add and remove, nothing written), the duration estimate, and
child playlists made on Spotify, against the live sandbox."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from routing.filters import FilterValidationError
from routing.models import ChildMode, ChildPlaylist
from routing.services.estimate import DEFAULT_SECONDS_PER_REQUEST, estimate_route
from routing.services.preview import preview_route
from routing.services.setup import BaseBusy, ChildNotAllowed, PlaylistNotFound
from routing.services.spotify_children import create_child_on_spotify, owned_playlist_choices
from core.runs import RunStatus
from tests.routing.factories import BasePlaylistFactory, ChildPlaylistFactory
from tests.routing.factories import RouteRunFactory
from tests.routing.route_support import (
    DELETE_ITEMS,
    NOT_EXPLICIT,
    POST_ITEMS,
    YEARS_2000_2015,
    SpotifyAs,
    add_child,
    expected_not_explicit,
    expected_years,
    imported_base,
    route,
)
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db

GENRE_ROCK = {"match": "all", "conditions": [{"field": "genre", "op": "any_of", "value": ["rock"]}]}


def test_the_preview_lists_what_the_route_then_does_and_writes_nothing(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT, routed=True)
    explicit = next(obj for obj in spotify.tracks(base.playlist.spotify_id) if obj["explicit"])
    spotify.add(clean.spotify_id, [explicit["uri"]])  # to be removed
    before = route_counts(sandbox)

    preview = preview_route(base=base)

    made = requests_since(before, sandbox)
    assert POST_ITEMS not in made and DELETE_ITEMS not in made
    assert spotify.track_ids(clean.spotify_id) == [explicit["id"]]
    (child,) = preview.children
    wanted = expected_not_explicit(spotify.tracks(base.playlist.spotify_id))
    assert (child.child_id, child.matching, child.current) == (clean.pk, len(wanted), 1)
    assert [line.track_id for line in child.add] == wanted
    assert [(line.track_id, line.name) for line in child.remove] == [(explicit["id"], explicit["name"])]
    assert preview.base_tracks == len(spotify.tracks(base.playlist.spotify_id))

    event = route(base)
    assert event.details["writes"][clean.spotify_id]["added"] == len(child.add)
    assert event.details["writes"][clean.spotify_id]["removed"] == len(child.remove)


def test_draft_filters_count_without_reading_the_children_or_saving_the_draft(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    tracks = SpotifyAs(sandbox).tracks(base.playlist.spotify_id)
    before = route_counts(sandbox)

    replaced = preview_route(
        base=base, read_children=False, draft_filters=YEARS_2000_2015, draft_child_id=clean.pk
    )
    new = preview_route(base=base, read_children=False, draft_filters=YEARS_2000_2015)

    assert requests_since(before, sandbox) == {}  # the mirror is enough for these filters
    assert replaced.draft.matching == len(expected_years(tracks, 2000, 2015))
    assert replaced.draft.add is None and [c.child_id for c in replaced.children] == [clean.pk]
    assert [c.child_id for c in new.children] == [clean.pk, None]
    assert new.children[0].matching == len(expected_not_explicit(tracks))
    assert ChildPlaylist.objects.get(pk=clean.pk).filters["conditions"][0]["field"] == "explicit"


def test_a_draft_is_validated_and_must_belong_to_the_base(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    with pytest.raises(FilterValidationError):
        preview_route(base=base, draft_filters={"match": "all", "conditions": [{"field": "nope"}]})
    with pytest.raises(PlaylistNotFound):
        preview_route(base=base, draft_filters=NOT_EXPLICIT, draft_child_id=999_999)
    with pytest.raises(ChildNotAllowed):
        preview_route(base=base, draft_filters=NOT_EXPLICIT, draft_mode="shuffle")


def test_the_estimate_counts_the_runs_requests_and_uses_the_measured_rate(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    add_child(sandbox, base, name="Rock", filters=GENRE_ROCK)
    tracks = base.playlist.items.filter(kind="track").count()

    cold = estimate_route(base=base)
    event = route(base)
    warm = estimate_route(base=base)

    first_writes = 2 * math.ceil(tracks / 100)
    # The base, each child read, its writes and one check just before them; plus one per artist.
    assert cold.requests >= 1 + 2 + first_writes + 2
    # What the run really made, up to the writes: a first run writes at most one per 100 tracks.
    assert event.spotify_requests <= cold.requests
    writes = [w["write_requests"] for w in event.details["writes"].values()]
    assert warm.requests == 1 + 2 + sum(writes) + sum(1 for n in writes if n)
    assert warm.measured and warm.seconds == pytest.approx(warm.requests * warm.seconds_per_request, abs=0.1)


def test_without_finished_runs_the_estimate_says_its_rate_is_a_default(settings):
    base = BasePlaylistFactory()
    RouteRunFactory(base=base, status=RunStatus.FAILED, spotify_requests=40)

    estimate = estimate_route(base=base)

    assert (estimate.measured, estimate.seconds_per_request) == (False, DEFAULT_SECONDS_PER_REQUEST)
    RouteRunFactory(
        base=BasePlaylistFactory(user=base.user),  # any route run of the listener's measures the rate
        status=RunStatus.SUCCEEDED,
        spotify_requests=40,
        started_at=timezone.now() - timedelta(seconds=8),
        finished_at=timezone.now(),
    )
    assert estimate_route(base=base).seconds_per_request == pytest.approx(0.2, abs=0.01)


def test_a_new_child_is_created_on_spotify_and_attached(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)

    child = create_child_on_spotify(
        base=base, name="  Clean   cuts ", mode=ChildMode.REBUILD, filters=NOT_EXPLICIT
    )

    assert (child.name, child.position, child.base_id) == ("Clean cuts", 0, base.pk)
    assert spotify.track_ids(child.spotify_id) == []  # exists, owned by the listener, empty
    assert route(base).status == RunStatus.SUCCEEDED
    assert spotify.track_ids(child.spotify_id) == expected_not_explicit(
        spotify.tracks(base.playlist.spotify_id)
    )


def test_a_refused_child_costs_no_playlist_on_spotify(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    RouteRunFactory(base=base, status=RunStatus.RUNNING)
    before = route_counts(sandbox)

    with pytest.raises(BaseBusy):
        create_child_on_spotify(base=base, name="Clean", mode=ChildMode.REBUILD, filters=NOT_EXPLICIT)
    with pytest.raises(FilterValidationError):
        create_child_on_spotify(base=base, name="Clean", mode=ChildMode.REBUILD, filters={"match": "some"})

    assert "POST /v1/me/playlists" not in requests_since(before, sandbox)
    assert not ChildPlaylist.objects.exists()


def test_the_choices_are_the_listeners_own_readable_playlists_not_yet_children(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    credential = user.spotify_credential
    before = list(owned_playlist_choices(base=base))
    taken = before[0]
    ChildPlaylistFactory(base=base, spotify_id=taken.spotify_id, name=taken.name)

    choices = list(owned_playlist_choices(base=base))

    assert choices == before[1:]
    assert all(p.owner_spotify_id == credential.spotify_user_id for p in before)
    others = user.playlists.exclude(owner_spotify_id=credential.spotify_user_id)
    assert others.exists() and not set(others) & set(before)
    ids = {p.spotify_id for p in before}
    assert base.playlist.spotify_id not in ids and "liked-songs" not in ids
