"""Artist lookups that keep what they fetched, against the live sandbox: an artist Spotify does
not know is skipped and counted (the route succeeds), each answer is in the mirror and the
cache as it arrives, so a route or a warm-up that Spotify's quota postpones asks only for the
rest when it resumes, and a warm-up hands its worker back after its time slice."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from accounts import services as account_services
from accounts.models import SpotifyPause
from core.jobs import dotted_path
from core.runs import RunStatus
from library.models import Artist, TrackArtist
from routing import tasks
from routing.display import describe_route
from routing.metadata import cache_key
from routing.models import MetadataWarmUp, WarmUpStatus
from routing.services.route import run_route
from routing.services.warm_up import WARM_UP_TASK, request_warm_up, run_warm_up
from tests.library.factories import ArtistFactory
from tests.routing.route_support import ARTIST_ROUTE, ARTISTS_BATCH_ROUTE, SpotifyAs, imported_base, route
from tests.routing.test_route_metadata import base_artists, genre_child
from tests.sync.import_support import requests_since, route_counts

pytestmark = pytest.mark.django_db

# A well-formed Spotify id the sandbox's catalog does not hold: an artist Spotify took down
# after the import credited it.
WITHDRAWN = "0withdrawnArtist00000A"


def fetched(artist_ids: list[str]) -> set[str]:
    """The artists the mirror holds an answer for."""
    rows = Artist.objects.filter(spotify_id__in=artist_ids, genres_fetched_at__isnull=False)
    return set(rows.values_list("spotify_id", flat=True))


def withdrawn_artist_on(base, *, tracks: int = 3) -> Artist:
    """WITHDRAWN credited on the base's first few tracks, beside their own artists."""
    artist = ArtistFactory(spotify_id=WITHDRAWN, name="Withdrawn")
    track_ids = list(
        base.playlist.items.filter(kind="track").order_by("position").values_list("track_id", flat=True)
    )
    for track_id in dict.fromkeys(track_ids[:tracks]):
        TrackArtist.objects.create(track_id=track_id, artist=artist, position=90)
    return artist


def quota_after(sandbox, requests: int) -> None:
    sandbox.configure(quota={"after_requests": requests, "retry_after": 50_000})


def lift_quota(sandbox) -> None:
    """Spotify's quota period ends; staff lift the deployment's pause (as on the admin page)."""
    sandbox.configure(quota=None)
    account_services.lift_spotify_pauses(pauses=SpotifyPause.objects.all())


# --- an artist Spotify does not know ----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["development", "extended"])
def test_an_artist_spotify_does_not_know_is_skipped_and_counted_and_the_route_succeeds(
    sandbox, settings, mode
):
    user, base = imported_base(sandbox, settings, mode=mode)
    spotify = SpotifyAs(sandbox)
    child, expected = genre_child(sandbox, base, spotify)
    withdrawn = withdrawn_artist_on(base)

    run = route(base)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert spotify.track_ids(child.spotify_id) == expected  # its tracks still route by their other artists
    assert run.details["cache"]["unknown_to_spotify"] == 1
    assert "1 artist unknown to Spotify (no genres for them)." in describe_route(run)
    withdrawn.refresh_from_db()
    assert withdrawn.unknown_to_spotify and withdrawn.genres == [] and withdrawn.genres_fetched_at
    # An answer like any other: the next route asks nobody about it, and still says so.
    before = route_counts(sandbox)
    again = route(base)
    made = requests_since(before, sandbox)
    assert ARTIST_ROUTE not in made and ARTISTS_BATCH_ROUTE not in made
    assert again.details["cache"]["unknown_to_spotify"] == 1


def test_what_the_cache_says_of_an_unknown_artist_is_an_answer_too(sandbox, settings):
    user, base = imported_base(sandbox, settings)
    genre_child(sandbox, base, SpotifyAs(sandbox))
    withdrawn_artist_on(base)
    assert route(base).status == RunStatus.SUCCEEDED
    assert cache.get(cache_key("artist", WITHDRAWN))["unknown"] is True
    Artist.objects.update(genres=[], genres_fetched_at=None, unknown_to_spotify=False)  # the mirror lost it
    before = route_counts(sandbox)

    run = route(base)

    assert ARTIST_ROUTE not in requests_since(before, sandbox)
    assert run.details["cache"]["unknown_to_spotify"] == 1
    assert Artist.objects.get(pk=WITHDRAWN).unknown_to_spotify


# --- kept as they arrive: a postponed lookup resumes with the rest -------------------------------------
def test_a_route_the_quota_postpones_keeps_the_artists_it_fetched_and_resumes_with_the_rest(
    sandbox, settings
):
    user, base = imported_base(sandbox, settings)
    artists = base_artists(base)
    # What a route sends before its first artist lookup: it reads the base (here, with no child).
    before = sandbox.counters()["total"]
    assert route(base).status == RunStatus.SUCCEEDED
    base_reads = sandbox.counters()["total"] - before
    child, expected = genre_child(sandbox, base, SpotifyAs(sandbox))
    kept = len(artists) // 3
    quota_after(sandbox, base_reads + kept)
    before = route_counts(sandbox)

    run = route(base)

    assert (run.status, run.resume_at is not None) == (RunStatus.QUEUED, True), run.error  # postponed
    assert requests_since(before, sandbox)[ARTIST_ROUTE] == kept + 1  # the last one met the quota
    in_mirror = fetched(artists)
    assert len(in_mirror) == kept
    assert len(cache.get_many([cache_key("artist", artist_id) for artist_id in in_mirror])) == kept

    lift_quota(sandbox)
    before = route_counts(sandbox)
    resumed = run_route(run_id=run.pk)

    assert resumed.status == RunStatus.SUCCEEDED, resumed.error
    asked = requests_since(before, sandbox)[ARTIST_ROUTE]
    assert asked == len(artists) - kept
    assert fetched(artists) == set(artists)
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == expected
    print(f"\nresumed route asked Spotify for {asked} of {len(artists)} artists ({kept} kept before it)")


def test_a_warm_up_the_quota_postpones_keeps_what_it_fetched_and_its_next_turn_asks_only_the_rest(
    sandbox, settings
):
    user, base = imported_base(sandbox, settings)
    artists = base_artists(base)
    kept = len(artists) // 2
    claimed = request_warm_up(base=base)
    quota_after(sandbox, kept)
    before = route_counts(sandbox)

    run_warm_up(base_id=base.pk, claim=claimed.claim, slice_seconds=3600)

    row = MetadataWarmUp.objects.get(base=base)
    assert (row.status, row.claim, row.looked_up) == (WarmUpStatus.POSTPONED, claimed.claim, kept)
    pause = SpotifyPause.objects.get()
    assert row.resume_at == pause.until and row.claimed_until > pause.until
    schedule = Schedule.objects.get(name=f"routing-warm-up-{base.pk}{SpotifyPause.SCHEDULE_SUFFIX}")
    assert (schedule.func, schedule.args) == (WARM_UP_TASK, f"({base.pk}, '{claimed.claim}')")
    assert requests_since(before, sandbox)[ARTIST_ROUTE] == kept + 1
    assert len(fetched(artists)) == kept
    # While it waits, another preview queues nothing: the postponed warm-up still holds the base.
    assert request_warm_up(base=base).claim == claimed.claim

    lift_quota(sandbox)
    schedule.refresh_from_db()
    assert schedule.next_run <= pause.until  # brought forward with the pause
    before = route_counts(sandbox)
    run_warm_up(base_id=base.pk, claim=claimed.claim, slice_seconds=3600)  # as the schedule fires it

    row.refresh_from_db()
    assert requests_since(before, sandbox)[ARTIST_ROUTE] == len(artists) - kept
    assert (row.status, row.claimed_until, row.looked_up) == (WarmUpStatus.DONE, None, len(artists))
    assert fetched(artists) == set(artists)


# --- a warm-up's turn ------------------------------------------------------------------------------
def test_a_warm_up_hands_its_worker_back_after_its_slice_and_queues_its_next_turn(
    sandbox, settings, queue, django_capture_on_commit_callbacks
):
    user, base = imported_base(sandbox, settings)
    artists = base_artists(base)
    first = request_warm_up(base=base)
    before = route_counts(sandbox)

    with django_capture_on_commit_callbacks(execute=True):
        # A slice already over: one request, then back of the queue.
        run_warm_up(base_id=base.pk, claim=first.claim, slice_seconds=0)

    row = MetadataWarmUp.objects.get(base=base)
    assert requests_since(before, sandbox) == {ARTIST_ROUTE: 1} and len(fetched(artists)) == 1
    assert row.status == WarmUpStatus.QUEUED and row.claim != first.claim and row.looked_up == 1
    assert queue.of(WARM_UP_TASK) == [(WARM_UP_TASK, base.pk, row.claim)]
    # The first turn delivered again (a broker's second delivery) finds its claim gone.
    assert "not this task's" in run_warm_up(base_id=base.pk, claim=first.claim)

    run_warm_up(base_id=base.pk, claim=row.claim, slice_seconds=3600)

    row.refresh_from_db()
    assert (row.status, row.looked_up) == (WarmUpStatus.DONE, len(artists))
    assert requests_since(before, sandbox)[ARTIST_ROUTE] == len(artists)  # nobody asked twice


def test_the_warm_up_task_is_registered_under_the_name_it_is_queued_with():
    assert dotted_path(tasks.warm_up_metadata) == WARM_UP_TASK


def test_answers_written_back_to_the_mirror_take_its_rows_in_id_order_one_at_a_time(sandbox, settings):
    # A multi-row UPDATE locks rows in the order the database meets them; an import's upsert takes
    # them in id order. On PostgreSQL the two deadlocked; one row a statement in id order cannot.
    user, base = imported_base(sandbox, settings)
    genre_child(sandbox, base, SpotifyAs(sandbox))
    assert route(base).status == RunStatus.SUCCEEDED
    Artist.objects.update(genres=[], genres_fetched_at=None)  # the mirror lost them; the cache has them

    with CaptureQueriesContext(connection) as queries:
        assert route(base).status == RunStatus.SUCCEEDED

    statements = [
        set(re.findall(r"'([0-9A-Za-z]{22})'", query["sql"]))
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "library_artist"')
    ]
    assert statements and all(len(ids) == 1 for ids in statements), statements
    written = [ids.pop() for ids in statements]
    assert len(written) > 1 and written == sorted(written) and len(set(written)) == len(written)
    assert fetched(written) == set(written)
