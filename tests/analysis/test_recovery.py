"""Analysis batches whose worker died or whose task was lost are queued again, never failed,
and go on from the first track they had not counted."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_q.signals import post_spawn

from analysis import tasks
from analysis.models import AnalysisBatch, AnalysisClaim, SongAnalysis
from core import recovery as core_recovery
from core.runs import RunStatus
from analysis.services import batches, recovery
from analysis.services.analysis import PROMPT_VERSION, analyse_track
from analysis.services.batches import ANALYSE_BATCH_TASK, run_batch
from analysis.services.queueing import queue_analysis
from core.workers import this_host
from tests.analysis.support import LYRICS, catalog_track, in_playlist_of
from tests.accounts.factories import UserFactory
from tests.llm.factories import ProviderFactory
from tests.support.processes import dead_pid

pytestmark = pytest.mark.django_db

HOST = this_host()


def _ago(**delta) -> datetime:
    return timezone.now() - timedelta(**delta)


@pytest.fixture
def tracks():
    # In the batch's order (queue_analysis orders by Spotify id).
    return sorted((catalog_track(LYRICS, nth=n) for n in range(4)), key=lambda track: track.pk)


@pytest.fixture
def batch(queue, tracks):
    """A queued batch of the four tracks, in `tracks`' order (its first task recorded by the fake queue)."""
    user = UserFactory()
    in_playlist_of(user, *tracks)
    ProviderFactory()  # queue_analysis queues nothing without an enabled provider
    (queued,) = queue_analysis(user_id=user.pk)
    queue.calls.clear()
    return queued


def _running(batch: AnalysisBatch, *, claimed_by: str, **fields) -> AnalysisBatch:
    defaults = {"started_at": _ago(minutes=2), "heartbeat_at": _ago(minutes=1)}
    AnalysisBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.RUNNING, claimed_by=claimed_by, runs=1, **{**defaults, **fields}
    )
    batch.refresh_from_db()
    return batch


# --- a worker spawns: batches claimed here by a process that is gone ------------------------------
def test_a_batch_of_a_dead_worker_is_queued_again_with_its_claims_dropped(
    batch, tracks, queue, django_capture_on_commit_callbacks
):
    worker = f"{HOST}:{dead_pid()}"
    _running(batch, claimed_by=worker, next_position=2, analysed=2)
    # The worker died in the middle of the third song: its claim would make the resumed batch skip it.
    AnalysisClaim.objects.create(
        track=tracks[2], prompt_version=PROMPT_VERSION, claimed_by=worker, claimed_at=timezone.now()
    )
    other = AnalysisClaim.objects.create(
        track=tracks[3], prompt_version=PROMPT_VERSION, claimed_by=f"{HOST}:{os.getpid()}",
        claimed_at=timezone.now(),
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        assert core_recovery.recover_orphans(AnalysisBatch, host=HOST) == [batch.pk]

    batch.refresh_from_db()
    assert (batch.status, batch.claimed_by, batch.error) == (
        RunStatus.QUEUED, "", AnalysisBatch.resumed_note,
    )  # fmt: skip
    assert batch.resume_at is None and (batch.next_position, batch.analysed) == (2, 2)  # due now
    assert list(AnalysisClaim.objects.all()) == [other]
    assert [call[:2] for call in queue.of(ANALYSE_BATCH_TASK)] == [(ANALYSE_BATCH_TASK, batch.pk)]
    assert batch.task_id == "task-1"


def test_live_workers_other_hosts_and_finished_batches_are_left_alone(queue, tracks):
    user = UserFactory()
    in_playlist_of(user, *tracks)
    made = [
        AnalysisBatch.objects.create(user=user, prompt_version=PROMPT_VERSION, **fields)
        for fields in (
            {
                "status": RunStatus.RUNNING,
                "claimed_by": f"{HOST}:{os.getpid()}",
                "heartbeat_at": timezone.now(),
            },
            {"status": RunStatus.RUNNING, "claimed_by": f"another-host:{dead_pid()}"},
            {"status": RunStatus.SUCCEEDED, "claimed_by": f"{HOST}:{dead_pid()}"},
        )
    ]

    assert core_recovery.recover_orphans(AnalysisBatch, host=HOST) == []

    assert [b.status for b in AnalysisBatch.objects.order_by("pk")] == [b.status for b in made]
    assert queue.calls == []


def test_a_batch_naming_the_pid_of_a_worker_that_just_spawned_is_queued_again(batch):
    _running(batch, claimed_by=f"{HOST}:{os.getpid()}")

    assert core_recovery.recover_orphans(AnalysisBatch, host=HOST, idle_pid=os.getpid()) == [batch.pk]


def test_django_q_post_spawn_runs_the_recovery(batch):
    _running(batch, claimed_by=f"{HOST}:{dead_pid()}")

    post_spawn.send(sender="django_q", proc_name="Process-test")

    batch.refresh_from_db()
    assert batch.status == RunStatus.QUEUED and batch.error == AnalysisBatch.resumed_note


def test_a_running_batch_silent_for_longer_than_a_task_may_run_is_queued_again_and_a_fresh_one_is_not(
    batch, queue
):
    stall = core_recovery.stall_after(AnalysisBatch)
    _running(batch, claimed_by="elsewhere:12", heartbeat_at=timezone.now() - stall - timedelta(minutes=1))
    fresh = AnalysisBatch.objects.create(
        prompt_version=PROMPT_VERSION, status=RunStatus.RUNNING, claimed_by="elsewhere:13",
        started_at=_ago(hours=2), heartbeat_at=timezone.now() - stall + timedelta(minutes=1),
    )  # fmt: skip

    assert recovery.requeue_stalled_batches() == [batch.pk]

    batch.refresh_from_db()
    fresh.refresh_from_db()
    minutes = round(stall.total_seconds() / 60)
    assert batch.status == RunStatus.QUEUED and f"no progress for {minutes} minutes" in batch.error
    assert fresh.status == RunStatus.RUNNING


def test_a_queued_batch_whose_task_never_came_is_enqueued_again_once_an_hour(
    batch, queue, django_capture_on_commit_callbacks
):
    AnalysisBatch.objects.filter(pk=batch.pk).update(enqueued_at=_ago(minutes=61))
    waiting = AnalysisBatch.objects.create(
        prompt_version=PROMPT_VERSION,
        status=RunStatus.QUEUED,
        resume_at=timezone.now() + timedelta(hours=2),
        enqueued_at=_ago(hours=5),
    )
    recent = AnalysisBatch.objects.create(
        prompt_version=PROMPT_VERSION, status=RunStatus.QUEUED, enqueued_at=_ago(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.requeue_stalled_batches() == [batch.pk]
        assert recovery.requeue_stalled_batches() == []  # now due again from now: not lost yet

    batch.refresh_from_db()
    assert batch.status == RunStatus.QUEUED and batch.enqueued_at > _ago(minutes=1)
    assert [call[:2] for call in queue.of(ANALYSE_BATCH_TASK)] == [(ANALYSE_BATCH_TASK, batch.pk)]
    assert {b.pk: b.error for b in AnalysisBatch.objects.filter(pk__in=[waiting.pk, recent.pk])} == {
        waiting.pk: "",
        recent.pk: "",
    }


def test_a_held_batch_is_never_lost_and_the_sweep_hands_it_over_when_its_listener_has_room(
    settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 1
    listener = UserFactory()
    handed = AnalysisBatch.objects.create(
        user=listener, prompt_version=PROMPT_VERSION, status=RunStatus.QUEUED, enqueued_at=_ago(minutes=5)
    )
    held = AnalysisBatch.objects.create(user=listener, prompt_version=PROMPT_VERSION, status=RunStatus.QUEUED)
    AnalysisBatch.objects.filter(pk=held.pk).update(created_at=_ago(hours=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.requeue_stalled_batches() == []  # held five hours: waiting its turn, not lost
    assert queue.of(ANALYSE_BATCH_TASK) == []  # the listener's one place is taken

    AnalysisBatch.objects.filter(pk=handed.pk).update(status=RunStatus.SUCCEEDED)  # its feeder never ran
    with django_capture_on_commit_callbacks(execute=True):
        recovery.requeue_stalled_batches()

    assert [call[:2] for call in queue.of(ANALYSE_BATCH_TASK)] == [(ANALYSE_BATCH_TASK, held.pk)]
    assert AnalysisBatch.objects.get(pk=held.pk).enqueued_at is not None


def test_the_scheduled_task_says_how_many_it_queued_again(batch):
    _running(batch, claimed_by="elsewhere:12", heartbeat_at=_ago(hours=1))

    assert tasks.recover_analysis_batches() == "1 analysis batch(es) queued again"
    assert tasks.recover_analysis_batches() == "0 analysis batch(es) queued again"


# --- the resumed batch ----------------------------------------------------------------------------
def test_a_resumed_batch_goes_on_from_the_first_track_it_had_not_counted(analysis_llm, batch, tracks, queue):
    worker = f"{HOST}:{dead_pid()}"
    # The dead worker had stored two analyses and counted them; it died holding the third's claim.
    for track in tracks[:2]:
        analyse_track(track_id=track.pk, worker=worker)
    _running(batch, claimed_by=worker, next_position=2, analysed=2)
    AnalysisClaim.objects.create(
        track=tracks[2], prompt_version=PROMPT_VERSION, claimed_by=worker, claimed_at=timezone.now()
    )
    before = analysis_llm.sandbox.requests_to("primary")
    core_recovery.recover_orphans(AnalysisBatch, host=HOST)

    done = run_batch(batch_id=batch.pk)

    assert done.status == RunStatus.SUCCEEDED and done.runs == 2, done.error
    assert (done.analysed, done.skipped, done.deferred, done.failed) == (4, 0, 0, 0)
    assert done.next_position == done.track_total == 4
    assert analysis_llm.sandbox.requests_to("primary") - before == 2  # only the two left
    assert SongAnalysis.objects.filter(track__in=tracks).count() == 4


def test_a_slow_worker_whose_batch_was_taken_back_stops_at_its_next_track(
    analysis_llm, batch, tracks, monkeypatch
):
    real = batches.analyse_track

    def analyse_then_lose_the_batch(*, track_id: str, worker: str):
        outcome = real(track_id=track_id, worker=worker)
        # Meanwhile the recovery judged this worker dead and another worker claimed the batch.
        AnalysisBatch.objects.filter(pk=batch.pk).update(claimed_by="another-worker:1")
        return outcome

    monkeypatch.setattr(batches, "analyse_track", analyse_then_lose_the_batch)

    stopped = run_batch(batch_id=batch.pk)

    assert stopped.status == RunStatus.RUNNING and stopped.claimed_by == "another-worker:1"
    assert SongAnalysis.objects.filter(track__in=tracks).count() == 1  # it went no further
