"""The children's items, cached under their snapshot_id for 5 minutes: a warm run reads no item
page, a child someone else edited is read again, a broken cache only costs requests; and a
base set to route automatically is routed after an import that changed it."""

from __future__ import annotations

import pytest

from routing.models import RouteRun, RouteRunKind

from core.runs import RunStatus
from tests.routing.failing_cache import FAILING_CACHE_SETTINGS
from tests.routing.route_support import (
    NOT_EXPLICIT,
    YEARS_2000_2015,
    SpotifyAs,
    add_child,
    expected_not_explicit,
    imported_base,
    route,
)
from tests.sync.import_support import import_library, requests_since, route_counts

pytestmark = pytest.mark.django_db

PLAYLIST_GET = "GET /v1/playlists/{playlist_id}"
ITEM_PAGES = ("GET /v1/playlists/{playlist_id}/items", "GET /v1/playlists/{playlist_id}/tracks")


def item_page_reads(made: dict[str, int]) -> int:
    return sum(made.get(route) or 0 for route in ITEM_PAGES)


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_a_warm_run_with_nothing_changed_costs_one_request_per_playlist_and_reads_no_item_page(
    sandbox, settings, mode
):
    user, base = imported_base(sandbox, settings, mode=mode)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    add_child(sandbox, base, name="2000-2015", filters=YEARS_2000_2015)
    assert route(base).status == RunStatus.SUCCEEDED
    before = route_counts(sandbox)

    warm = route(base)

    assert warm.status == RunStatus.SUCCEEDED, warm.error
    made = requests_since(before, sandbox)
    # The base's snapshot check and one GET per child, nothing else.
    assert made == {PLAYLIST_GET: 3}
    assert warm.spotify_requests == 3
    assert warm.details["playlist_items_cache"]["hits"] == 2
    assert warm.details["playlist_items_cache"]["hit_rate"] == 1.0
    assert SpotifyAs(sandbox).track_ids(clean.spotify_id) == expected_not_explicit(
        SpotifyAs(sandbox).tracks(base.playlist.spotify_id)
    )


def test_a_child_someone_else_edited_is_read_again_and_put_right(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    spotify = SpotifyAs(sandbox)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    assert route(base).status == RunStatus.SUCCEEDED
    expected = spotify.track_ids(clean.spotify_id)
    intruder = next(obj for obj in spotify.tracks(base.playlist.spotify_id) if obj["explicit"])
    # Another Spotify client adds an explicit song: a new snapshot, so the cache has no entry.
    sandbox.mutate_playlist(clean.spotify_id, op="add", uris=[intruder["uri"]])
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    assert item_page_reads(requests_since(before, sandbox)) >= 1
    assert event.details["writes"][clean.spotify_id]["removed"] == 1
    assert spotify.track_ids(clean.spotify_id) == expected


def test_with_the_cache_down_the_warm_run_reads_every_child_and_still_succeeds(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    clean = add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    add_child(sandbox, base, name="2000-2015", filters=YEARS_2000_2015)
    assert route(base).status == RunStatus.SUCCEEDED
    expected = SpotifyAs(sandbox).track_ids(clean.spotify_id)
    settings.CACHES = FAILING_CACHE_SETTINGS
    before = route_counts(sandbox)

    event = route(base)

    assert event.status == RunStatus.SUCCEEDED, event.error
    made = requests_since(before, sandbox)
    # More than the 3 GETs of a warm run: a child bigger than the page GET /playlists/{id}
    # embeds is read on from there.
    assert made[PLAYLIST_GET] == 3 and item_page_reads(made) >= 1
    assert event.details["playlist_items_cache"]["errors"] >= 2
    assert all(writes["write_requests"] == 0 for writes in event.details["writes"].values())
    assert SpotifyAs(sandbox).track_ids(clean.spotify_id) == expected


@pytest.mark.parametrize("automatic", [True, False])
def test_an_import_that_changed_the_base_routes_it_when_the_base_says_so(
    sandbox, settings, queue, django_capture_on_commit_callbacks, automatic
):
    user, base = imported_base(sandbox, settings)
    base.auto_route_after_import = automatic
    base.save()
    add_child(sandbox, base, name="Clean", filters=NOT_EXPLICIT)
    other = user.playlists.exclude(pk=base.playlist_id).exclude(spotify_id="liked-songs").first()
    with django_capture_on_commit_callbacks(execute=True):
        import_library(user)  # nothing changed: no route either way
    assert not RouteRun.objects.filter(kind=RouteRunKind.ROUTE).exists()
    first = SpotifyAs(sandbox).tracks(base.playlist.spotify_id)[0]
    sandbox.mutate_playlist(base.playlist.spotify_id, op="remove", uris=[first["uri"]])
    sandbox.mutate_playlist(other.spotify_id, op="rename", name="Renamed elsewhere")

    with django_capture_on_commit_callbacks(execute=True):
        import_library(user)

    routes = list(RouteRun.objects.filter(kind=RouteRunKind.ROUTE))
    if automatic:
        assert [(event.base_id, event.trigger) for event in routes] == [(base.pk, "import")]
        assert ("routing.tasks.run_route", routes[0].pk) in queue.calls
    else:
        assert routes == []
