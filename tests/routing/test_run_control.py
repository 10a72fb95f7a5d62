"""Cancel, confirm and discard; the lost-task sweep; backups kept once per run and pruned by age
and count. The database and the services, no Spotify (the sandbox tests do the writes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from library.models import Playlist
from routing.models import ChildBackup
from routing.services import backups
from routing.services import run_control as route_control
from routing.services.base_reads import VerifiedBase, verify_unchanged
from routing.services.child_reads import ChildContents
from routing.services.route_state import CONFIRMED
from routing.services.setup import BaseBusy, update_base_options
from sync.models import SyncEvent
from core.runs import RunStatus
from core import recovery, run_control
from routing.models import RouteRun
from sync.services import cleanup, run_state
from spotify.runs import RunStepFailed
from tests.routing.factories import BasePlaylistFactory, ChildBackupFactory, ChildPlaylistFactory
from tests.sync.factories import SyncEventFactory
from tests.routing.factories import RouteRunFactory

pytestmark = pytest.mark.django_db

PENDING = {
    "confirmation": {
        "children": [
            {"child_id": 1, "spotify_id": "child1", "name": "Gym", "tracks_now": 30, "tracks_after": 0,
             "removed_rows": 30, "removals": ["spotify:track:a", "spotify:track:b"], "reason": "it would be emptied"}
        ],
        "asked_at": "2030-01-01T00:00:00+00:00",
    }
}  # fmt: skip


def route(base, **fields) -> RouteRun:
    return RouteRunFactory(base=base, **fields)


# --- cancel -------------------------------------------------------------------------------------------
def test_cancelling_a_postponed_import_ends_it_and_drops_its_resume_schedule():
    event = SyncEventFactory(resume_at=timezone.now() + timedelta(hours=14))
    Schedule.objects.create(
        name=run_state.resume_schedule_name(label="import", event_id=event.pk),
        func="sync.tasks.run_import",
        schedule_type=Schedule.ONCE,
    )

    cancelled = run_control.cancel_run(run=event)

    assert (cancelled.status, cancelled.resume_at, cancelled.details["cancelled_by"]) == (
        "cancelled",
        None,
        "you",
    )
    assert cancelled.finished_at is not None
    assert not Schedule.objects.filter(name__startswith="sync-import-resume-").exists()


def test_cancelling_a_queued_route_releases_its_base_at_once():
    base = BasePlaylistFactory()
    event = route(base)
    with pytest.raises(BaseBusy):
        update_base_options(base=base, first_match_only=True)

    run_control.cancel_run(run=event)

    assert update_base_options(base=base, first_match_only=True).first_match_only


@pytest.mark.parametrize("trait", ["running", "completed", "failed"])
def test_a_running_or_finished_run_cannot_be_cancelled_and_is_left_as_it_is(trait):
    event = SyncEventFactory(**{trait: True})
    with pytest.raises(run_control.RunControlError):
        run_control.cancel_run(run=event)
    assert SyncEvent.objects.get(pk=event.pk).status == event.status


# --- confirm and discard ------------------------------------------------------------------------------
def test_confirming_queues_the_route_again_with_the_shown_removals_agreed(
    queue, django_capture_on_commit_callbacks
):
    base = BasePlaylistFactory()
    waiting = route(base, status=RunStatus.WAITING, details=PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = route_control.confirm_route(run=waiting)

    assert confirmed.status == RunStatus.QUEUED
    assert confirmed.details[CONFIRMED] == {"child1": ["spotify:track:a", "spotify:track:b"]}
    assert queue.calls == [("routing.tasks.run_route", waiting.pk)]
    with pytest.raises(run_control.RunControlError, match="only a route that waits for your confirmation"):
        route_control.confirm_route(run=confirmed)


def test_discarding_ends_the_route_cancelled_and_a_route_waiting_still_holds_its_base():
    base = BasePlaylistFactory()
    waiting = route(base, status=RunStatus.WAITING, details=PENDING)
    with pytest.raises(BaseBusy, match="waits for your confirmation"):
        update_base_options(base=base, first_match_only=True)

    discarded = route_control.discard_route(run=waiting)

    assert discarded.status == RunStatus.CANCELLED and "discarded" in discarded.details["cancelled_by"]
    assert update_base_options(base=base, first_match_only=True).first_match_only


# --- the lost-task sweep ------------------------------------------------------------------------------
def test_the_sweep_requeues_only_due_runs_whose_task_is_long_overdue(queue):
    long_ago = timezone.now() - timedelta(minutes=20)
    lost_import = SyncEventFactory(enqueued_at=long_ago)
    lost_route = route(BasePlaylistFactory(), enqueued_at=long_ago)
    resumed_long_ago = SyncEventFactory(enqueued_at=long_ago, resume_at=long_ago)
    SyncEventFactory(enqueued_at=timezone.now())  # just handed over
    SyncEventFactory(enqueued_at=long_ago, resume_at=timezone.now() + timedelta(hours=3))  # postponed
    SyncEventFactory(enqueued_at=long_ago, running=True)
    route(BasePlaylistFactory(), enqueued_at=long_ago, status=RunStatus.WAITING)

    requeued_imports = cleanup.requeue_lost_runs()
    requeued_routes = recovery.requeue_lost(RouteRun)

    assert sorted(requeued_imports) == sorted([lost_import.pk, resumed_long_ago.pk])
    assert requeued_routes == [lost_route.pk]
    assert sorted(queue.calls) == sorted(
        [("sync.tasks.run_import", lost_import.pk, 0), ("routing.tasks.run_route", lost_route.pk),
         ("sync.tasks.run_import", resumed_long_ago.pk, 0)]
    )  # fmt: skip
    # Each was taken: enqueued_at moved on.
    assert cleanup.requeue_lost_runs() == [] and recovery.requeue_lost(RouteRun) == []


# --- backups ------------------------------------------------------------------------------------------
def test_a_run_keeps_the_first_backup_of_each_child_as_before_it():
    child = ChildPlaylistFactory()
    run = route(child.base)
    first = ChildContents(snapshot_id="s1", uris=["spotify:track:a", "spotify:local:x:y:z:1", ""])
    kept = backups.record_backup(
        run_id=run.pk,
        user_id=child.user_id,
        child=child,
        spotify_id=child.spotify_id,
        name=child.name,
        contents=first,
    )
    again = backups.record_backup(
        run_id=run.pk, user_id=child.user_id, child=child, spotify_id=child.spotify_id, name=child.name,
        contents=ChildContents(snapshot_id="s2", uris=["spotify:track:b"]),
    )  # fmt: skip
    assert again.pk == kept.pk and again.uris == first.uris and again.snapshot_id == "s1"
    assert kept.track_count == 1  # tracks only: the local file and the empty row are rows, not tracks


def test_pruning_keeps_each_childs_ten_newest_and_every_backup_younger_than_thirty_days(settings):
    settings.ROUTE_BACKUPS_KEEP, settings.ROUTE_BACKUP_DAYS = 10, 30
    now = timezone.now()
    old, young = ChildPlaylistFactory(), ChildPlaylistFactory()
    old_ones = [ChildBackupFactory(child=old, created_at=now - timedelta(days=40 + n)) for n in range(14)]
    young_ones = [ChildBackupFactory(child=young, created_at=now - timedelta(days=n)) for n in range(14)]

    assert backups.prune_backups(now=now) == 4

    remaining = set(ChildBackup.objects.values_list("pk", flat=True))
    assert remaining == {b.pk for b in old_ones[:10]} | {b.pk for b in young_ones}


# --- the base a plan is built from ---------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        {"items_status": "not_available", "track_count": 0},  # an import found it unreadable meanwhile
        {"snapshot_id": "another-version"},
        {"track_count": 3},
    ],
)
def test_a_plan_is_refused_when_the_mirror_no_longer_holds_the_base_the_run_checked(change):
    base = BasePlaylistFactory(playlist__track_count=5, playlist__snapshot_id="checked")
    verified = VerifiedBase(playlist_id=base.playlist_id, snapshot_id="checked", rows=5)
    verify_unchanged(base=base, verified=verified, rows_read=5)  # as checked: fine

    Playlist.objects.filter(pk=base.playlist_id).update(**change)

    with pytest.raises(RunStepFailed, match="changed in Linernotes' copy while this route read it"):
        verify_unchanged(base=base, verified=verified, rows_read=5)


def test_a_plan_that_read_fewer_rows_than_were_checked_is_refused():
    base = BasePlaylistFactory(playlist__track_count=5, playlist__snapshot_id="checked")
    verified = VerifiedBase(playlist_id=base.playlist_id, snapshot_id="checked", rows=5)
    with pytest.raises(RunStepFailed):
        verify_unchanged(base=base, verified=verified, rows_read=4)


# --- a run stopped by a rate limit after it was ended elsewhere -----------------------------------
def test_a_rate_limited_run_cancelled_meanwhile_stops_quietly_and_stays_cancelled():
    """Staff cancelled the running route while it waited on Spotify; the rate limit that ends the
    body must not postpone (re-queue) it, nor raise into the worker."""
    from spotify.errors import SpotifyRateLimited
    from spotify.runs import RunLedger, run_to_end

    run = route(BasePlaylistFactory(), running=True)
    ledger = RunLedger(event=run)

    def body() -> None:
        RouteRun.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, claimed_by="")
        raise SpotifyRateLimited(retry_after=50_000, resume_at=timezone.now() + timedelta(seconds=50_000))

    run_to_end(ledger=ledger, body=body, unexpected="unexpected")

    run.refresh_from_db()
    assert (run.status, run.resume_at) == (RunStatus.CANCELLED, None)
    assert not Schedule.objects.filter(name=run.resume_schedule_name()).exists()
