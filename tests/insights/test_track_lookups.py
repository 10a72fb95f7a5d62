"""The tracks a history import named first get their album and artists from the live sandbox,
on the bulk queue, in turns, within Spotify's pause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import SpotifyPause
from core.runs import RunStatus
from insights.models import TrackLookup
from insights.services import track_lookups
from insights.services.track_lookups import request_track_lookup, run_track_lookup, tracks_without_details
from library.models import Track
from tests.accounts.factories import UserFactory
from tests.insights.factories import PlayFactory
from tests.sync.import_support import connect

pytestmark = pytest.mark.django_db

TRACK_ROUTE = "/v1/tracks/*"
QUOTA_BODY = {"error": {"status": 429, "message": "API rate limit exceeded", "reason": "QUOTA_EXCEEDED"}}
UNKNOWN_ID = "0000000000000000000000"


def _name_only_plays(sandbox, user, *, count: int) -> list[str]:
    """Plays of real sandbox tracks, stored as an import stores a track it met first: name only."""
    played = sandbox.add_plays(user.spotify_credential.spotify_user_id, count, spacing_seconds=300)["plays"]
    ids = sorted({play["track_id"] for play in played})
    for track_id in ids:
        PlayFactory(user=user, track=Track.objects.create(spotify_id=track_id, name="From the export"))
    return ids


def _turns(lookup_id: int, *, limit: int = 50, **kwargs) -> TrackLookup:
    lookup = TrackLookup.objects.get(pk=lookup_id)
    for _ in range(limit):
        lookup = run_track_lookup(lookup_id=lookup_id, turn=lookup.turns, **kwargs)
        if not lookup.is_active or lookup.resume_at is not None:
            return lookup
    raise AssertionError("the lookup did not end")


def test_a_lookup_gives_every_name_only_track_its_album_and_artists(sandbox, queue, django_capture_on_commit_callbacks):
    user = connect(sandbox, spotify_user="demo")
    ids = _name_only_plays(sandbox, user, count=6)
    PlayFactory(user=user, track=Track.objects.create(spotify_id=UNKNOWN_ID, name="Gone from Spotify"))

    with django_capture_on_commit_callbacks(execute=True):
        lookup = request_track_lookup(user=user)

    assert lookup.total == len(ids) + 1 and queue.of("insights.tasks.run_track_lookup")
    done = _turns(lookup.pk)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert (done.looked_up, done.unknown, done.percent) == (len(ids), 1, 100)
    for track in Track.objects.filter(spotify_id__in=ids):
        assert track.album_id and track.duration_ms > 0 and track.credits.exists()
        assert track.name != "From the export"  # Spotify's own spelling replaces the export's
    assert list(tracks_without_details(user=user).values_list("spotify_id", flat=True)) == [UNKNOWN_ID]


def test_a_lookup_gives_its_worker_back_between_turns_and_goes_on_from_its_cursor(sandbox, queue):
    user = connect(sandbox, spotify_user="demo")
    ids = _name_only_plays(sandbox, user, count=5)
    lookup = request_track_lookup(user=user)

    first = run_track_lookup(lookup_id=lookup.pk, turn=0, slice_seconds=0)  # one track per turn

    assert (first.status, first.looked_up, first.cursor) == (RunStatus.QUEUED, 1, ids[0])
    assert run_track_lookup(lookup_id=lookup.pk, turn=0).status == RunStatus.QUEUED  # an older turn's task: nothing
    done = _turns(lookup.pk, slice_seconds=0)
    assert done.status == RunStatus.SUCCEEDED and done.looked_up == len(ids)
    assert sandbox.counters()["by_route"]["GET /v1/tracks/{track_id}"] == len(ids)  # none asked twice


def test_a_quota_429_postpones_the_lookup_to_the_pause_end_without_waiting(sandbox, queue):
    user = connect(sandbox, spotify_user="demo")
    ids = _name_only_plays(sandbox, user, count=3)
    lookup = request_track_lookup(user=user)
    sandbox.fail_next(method="GET", path=TRACK_ROUTE, status=429, retry_after=7200, body=QUOTA_BODY)

    postponed = run_track_lookup(lookup_id=lookup.pk, turn=0)

    pause = SpotifyPause.objects.get()
    assert postponed.status == RunStatus.QUEUED and postponed.resume_at >= pause.until - timedelta(seconds=1)
    assert postponed.looked_up == 0 and "Spotify" in postponed.error
    assert tracks_without_details(user=user).count() == len(ids)  # nothing half-written


def test_a_listener_without_a_spotify_grant_gets_a_failed_lookup_with_the_reason(queue):
    user = UserFactory()  # never connected
    PlayFactory(user=user, track=Track.objects.create(spotify_id="1" * 22, name="From the export"))
    lookup = request_track_lookup(user=user)

    failed = run_track_lookup(lookup_id=lookup.pk, turn=0)

    assert failed.status == RunStatus.FAILED and failed.error.startswith("Track details could not be looked up")


def test_no_lookup_is_queued_when_every_played_track_has_its_details(queue):
    PlayFactory()  # a mirrored track: album and artists
    user = UserFactory()

    assert request_track_lookup(user=user) is None and not TrackLookup.objects.exists()


def test_a_second_request_meanwhile_gets_the_active_lookup(sandbox, queue):
    user = connect(sandbox, spotify_user="demo")
    _name_only_plays(sandbox, user, count=2)

    first = request_track_lookup(user=user)
    again = request_track_lookup(user=user)

    assert first.pk == again.pk and TrackLookup.objects.count() == 1


def test_another_listeners_name_only_tracks_are_not_this_listeners_to_look_up(sandbox, queue):
    user = connect(sandbox, spotify_user="demo")
    stranger = UserFactory()
    PlayFactory(user=stranger, track=Track.objects.create(spotify_id="2" * 22, name="Theirs"))

    assert request_track_lookup(user=user) is None
    assert track_lookups.tracks_without_details(user=stranger).count() == 1


def test_an_import_ending_during_a_lookup_gets_its_tracks_behind_the_cursor_looked_up_next(
    sandbox, queue, django_capture_on_commit_callbacks
):
    user = connect(sandbox, spotify_user="demo")
    ids = _name_only_plays(sandbox, user, count=4)
    lookup = request_track_lookup(user=user)
    run_track_lookup(lookup_id=lookup.pk, turn=0, slice_seconds=0)  # past the first id
    Track.objects.filter(spotify_id=ids[0]).update(album=None)  # as if met again, behind the cursor
    Track.objects.get(spotify_id=ids[0]).credits.all().delete()

    assert request_track_lookup(user=user).pk == lookup.pk  # another import ended meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        done = _turns(lookup.pk)

    assert done.status == RunStatus.SUCCEEDED and done.again
    follow_up = TrackLookup.objects.exclude(pk=lookup.pk).get(user=user)
    assert follow_up.total == 1 and _turns(follow_up.pk).status == RunStatus.SUCCEEDED
    assert not tracks_without_details(user=user).exists()


def test_spotify_failing_postpones_the_lookup_a_few_times_before_it_fails(sandbox, queue):
    user = connect(sandbox, spotify_user="demo")
    _name_only_plays(sandbox, user, count=1)
    lookup = request_track_lookup(user=user)
    sandbox.fail_next(method="GET", path=TRACK_ROUTE, status=503, count=1000)

    for outage in range(1, track_lookups.MAX_OUTAGES):
        lookup = run_track_lookup(lookup_id=lookup.pk, turn=lookup.turns)
        assert (lookup.status, lookup.outages) == (RunStatus.QUEUED, outage) and lookup.resume_at
        TrackLookup.objects.filter(pk=lookup.pk).update(resume_at=None)  # its schedule comes
    failed = run_track_lookup(lookup_id=lookup.pk, turn=lookup.turns)

    assert failed.status == RunStatus.FAILED and failed.error.startswith("Track details could not be looked up")
