"""The live preview never calls Spotify: it counts with the artist metadata already known, says
how many artists are not looked up yet, and queues one warm-up per base (claimed atomically);
after the warm-up the preview counts everything. Against the live sandbox and its counters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from rest_framework.test import APIClient

from core.queues import INTERACTIVE, cluster_name
from library.models import Artist
from routing.display import describe_artist_coverage
from routing.models import MetadataWarmUp, WarmUpStatus
from routing.selectors import ArtistCoverage
from routing.services.preview import preview_route
from routing.services.warm_up import (
    FAILED_BACKOFF,
    TIME_LIMIT_SECONDS,
    WARM_UP_TASK,
    request_warm_up,
    run_warm_up,
)
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.library.factories import PlaylistItemFactory
from tests.routing.factories import BasePlaylistFactory
from tests.routing.route_support import ARTIST_ROUTE, SpotifyAs, imported_base, warm_up_here
from tests.routing.routing_pages_support import make_setup
from tests.routing.test_route_metadata import base_artists, genre_child
from tests.routing.test_routing_editor_pages import editor
from tests.support.concurrency import race
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db

# What one live preview may cost, whatever the size of the base: the base, its children, the
# items, their credits, the artists' answers (mirror, cache), analyses, and the warm-up claim;
# plus, without Redis, the previews throttle's counter in the database cache (read, cull check,
# write, and its savepoints): a fixed cost per request.
PREVIEW_QUERIES = 20


def preview(api: APIClient, base, child, **body):
    answer = api.post(
        f"/api/base-playlists/{base.pk}/preview",
        {"read_children": False, "filters": child.filters, "child": child.pk, **body},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_the_live_preview_asks_spotify_nothing_and_says_how_many_artists_are_not_looked_up_yet(
    sandbox, settings, api, queue, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    user, base = imported_base(sandbox, settings)
    child, expected = genre_child(sandbox, base, SpotifyAs(sandbox))
    artists = base_artists(base)
    api.force_authenticate(user)
    before = sandbox.counters()["total"]

    with django_assert_max_num_queries(PREVIEW_QUERIES), django_capture_on_commit_callbacks(execute=True):
        body = preview(api, base, child)

    assert sandbox.counters()["total"] == before and body["spotify_requests"] == 0
    coverage = body["artists"]
    assert (coverage["total"], coverage["pending"], coverage["unknown"]) == (len(artists), len(artists), 0)
    assert coverage["note"] == f"{len(artists)} artists not looked up yet; counts will update."
    assert coverage["warm_up"]["status"] == WarmUpStatus.QUEUED and coverage["warm_up"]["active"]
    assert body["draft"]["matching"] == 0 < len(expected)  # no genre known yet, no analysis either
    (queued,) = queue.of(WARM_UP_TASK)
    row = MetadataWarmUp.objects.get(base=base)
    assert queued == (WARM_UP_TASK, base.pk, row.claim)
    options = queue.options[queue.calls.index(queued)]
    assert (options["cluster"], options["timeout"]) == (cluster_name(INTERACTIVE), TIME_LIMIT_SECONDS)
    status = api.get(f"/api/base-playlists/{base.pk}/metadata").json()
    assert (status["pending"], status["warm_up"]["status"]) == (len(artists), WarmUpStatus.QUEUED)

    # The warm-up runs (here, as the cluster would): the next preview counts every artist.
    run_warm_up(base_id=base.pk, claim=row.claim)
    before = sandbox.counters()["total"]
    with django_assert_max_num_queries(PREVIEW_QUERIES), django_capture_on_commit_callbacks(execute=True):
        after = preview(api, base, child)

    assert sandbox.counters()["total"] == before
    assert after["draft"]["matching"] == len(expected)
    assert (after["artists"]["pending"], after["artists"]["note"]) == (0, "")
    assert after["artists"]["warm_up"]["status"] == WarmUpStatus.DONE
    assert len(queue.of(WARM_UP_TASK)) == 1  # nothing left to look up: nothing queued


def test_two_previews_queue_one_warm_up(sandbox, settings, api, queue, django_capture_on_commit_callbacks):
    user, base = imported_base(sandbox, settings)
    child, _ = genre_child(sandbox, base, SpotifyAs(sandbox))
    api.force_authenticate(user)

    rock = {"match": "all", "conditions": [{"field": "genre", "op": "any_of", "value": ["rock"]}]}

    with django_capture_on_commit_callbacks(execute=True):
        first = preview(api, base, child)
        second = preview(api, base, child, filters=rock)  # the next keystrokes
        third = preview(api, base, child)

    assert len(queue.of(WARM_UP_TASK)) == 1
    assert first["artists"]["warm_up"] == second["artists"]["warm_up"] == third["artists"]["warm_up"]
    assert first["artists"]["warm_up"]["status"] == WarmUpStatus.QUEUED


def test_preview_changes_reads_the_children_but_looks_up_no_artist(sandbox, settings, queue):
    user, base = imported_base(sandbox, settings)
    genre_child(sandbox, base, SpotifyAs(sandbox))
    before = route_counts(sandbox)

    result = preview_route(base=base, read_children=True)

    made = requests_since(before, sandbox)
    assert ARTIST_ROUTE not in made and result.spotify_requests == sum(made.values()) > 0
    assert result.artists.pending == len(base_artists(base))


def test_artists_spotify_does_not_know_are_counted_in_the_note(sandbox, settings, queue):
    user, base = imported_base(sandbox, settings)
    genre_child(sandbox, base, SpotifyAs(sandbox))
    warm_up_here(base)
    gone = base_artists(base)[:2]
    Artist.objects.filter(spotify_id__in=gone).update(genres=[], unknown_to_spotify=True)

    result = preview_route(base=base, read_children=False)

    assert (result.artists.pending, result.artists.unknown) == (0, 2)
    assert describe_artist_coverage(result.artists) == "2 artists unknown to Spotify."


@pytest.mark.postgres_only
@pytest.mark.parametrize("callers", [2, 12])
def test_concurrent_previews_claim_exactly_one_warm_up(transactional_db, queue, callers):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    PlaylistItemFactory(playlist=base.playlist)

    claims = {row.claim for row in race(callers, lambda: request_warm_up(base=base))}

    assert len(claims) == 1
    assert queue.of(WARM_UP_TASK) == [(WARM_UP_TASK, base.pk, claims.pop())]


def test_a_lapsed_claim_lets_the_next_preview_queue_again_and_the_stale_task_does_nothing(
    queue, django_capture_on_commit_callbacks
):
    base = BasePlaylistFactory(user=SpotifyCredentialFactory().user)
    with django_capture_on_commit_callbacks(execute=True):
        lost = request_warm_up(base=base)
        # The broker lost the task, or its worker died: the claim lapses by itself.
        MetadataWarmUp.objects.filter(base=base).update(claimed_until=timezone.now() - timedelta(seconds=1))
        fresh = request_warm_up(base=base)

    assert fresh.claim != lost.claim and fresh.status == WarmUpStatus.QUEUED
    assert [call[2] for call in queue.of(WARM_UP_TASK)] == [lost.claim, fresh.claim]
    assert "not this task's" in run_warm_up(base_id=base.pk, claim=lost.claim)
    assert MetadataWarmUp.objects.get(base=base).claim == fresh.claim


def test_a_failed_warm_up_says_why_and_the_next_one_waits_a_minute(queue, django_capture_on_commit_callbacks):
    base = BasePlaylistFactory(user=UserFactory())  # never connected to Spotify
    PlaylistItemFactory(playlist=base.playlist)
    with django_capture_on_commit_callbacks(execute=True):
        claimed = request_warm_up(base=base)
        run_warm_up(base_id=base.pk, claim=claimed.claim)
        again = request_warm_up(base=base)

    assert again.status == WarmUpStatus.FAILED and "Spotify" in again.error
    assert again.claimed_until > timezone.now() + FAILED_BACKOFF - timedelta(seconds=5)
    assert len(queue.of(WARM_UP_TASK)) == 1  # no failing task per keystroke
    coverage = ArtistCoverage(total=1, pending=1, unknown=0, warm_up=again)
    assert describe_artist_coverage(coverage) == f"1 artist not looked up yet: {again.error}"


@pytest.mark.parametrize(
    ("pending", "unknown", "status", "words"),
    [
        (12, 0, WarmUpStatus.QUEUED, "12 artists not looked up yet; counts will update."),
        (1, 0, WarmUpStatus.RUNNING, "1 artist not looked up yet; counts will update."),
        (
            3,
            1,
            WarmUpStatus.POSTPONED,
            "3 artists not looked up yet: Spotify asked this server to pause until 14:05; counts will "
            "update then. 1 artist unknown to Spotify.",
        ),
        (0, 4, WarmUpStatus.DONE, "4 artists unknown to Spotify."),
        (0, 0, WarmUpStatus.DONE, ""),
    ],
)
def test_what_the_counts_lack_is_told_in_words(settings, pending, unknown, status, words):
    settings.TIME_ZONE = "UTC"
    resume_at = timezone.now().replace(hour=14, minute=5)
    warm_up = MetadataWarmUp(status=status, resume_at=resume_at if status == WarmUpStatus.POSTPONED else None)
    coverage = ArtistCoverage(total=20, pending=pending, unknown=unknown, warm_up=warm_up)

    assert describe_artist_coverage(coverage) == words


def test_the_editor_follows_the_lookup_and_counts_again(client):
    setup = make_setup()
    client.force_login(setup.listener)

    page = editor(client, setup.chill)
    preview_js = Path(finders.find("js/filter-preview.js")).read_text()

    assert f'data-metadata-url="/api/base-playlists/{setup.base.pk}/metadata"' in page
    assert 'data-role="metadata-note"' in page
    assert "form.dataset.metadataUrl" in preview_js and "artists.note" in preview_js
    assert "warm_up" in preview_js and "requestPreview(lastReadChildren)" in preview_js
