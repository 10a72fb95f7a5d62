"""Fair queues for song analysis: a listener's batches go to the bulk queue a few at a time, the
next as one ends, so a huge library never fills the queue ahead of another listener."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from analysis.models import AnalysisBatch, SongAnalysis
from analysis.services import feeding
from analysis.services.batches import ANALYSE_BATCH_TASK, run_batch
from analysis.services.queueing import queue_analysis
from core.runs import RunStatus
from tests.accounts.factories import UserFactory
from tests.insights.factories import GeneratedInsightFactory
from tests.analysis.support import LYRICS, catalog_track, in_playlist_of
from tests.fixtures.cluster import sandbox_cluster_env
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory
from llm.models import ProviderKind


def _listener_with(tracks, *, settings, batch_size: int = 1):
    settings.ANALYSIS_BATCH_SIZE = batch_size
    user = UserFactory()
    in_playlist_of(user, *tracks)
    return user


def _handed(queue) -> list[int]:
    return [call[1] for call in queue.of(ANALYSE_BATCH_TASK)]


@pytest.mark.django_db
def test_a_listener_has_only_their_allowance_in_the_queue_and_the_rest_is_held(
    settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 2
    ProviderFactory()
    user = _listener_with([catalog_track(LYRICS, nth=n) for n in range(5)], settings=settings)

    with django_capture_on_commit_callbacks(execute=True):
        batches = queue_analysis(user_id=user.pk)
        assert feeding.feed(user_id=user.pk) == []  # a second feeder finds no room

    assert len(batches) == 5
    assert _handed(queue) == [batch.pk for batch in batches[:2]]
    assert AnalysisBatch.objects.filter(feeding.held(user_id=user.pk)).count() == 3
    # Held batches are queued (active) for the listener: a new import queues none of their songs.
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_analysis(user_id=user.pk) == []


@pytest.mark.django_db
def test_an_ending_batch_hands_over_exactly_the_next_of_its_listener(
    analysis_llm, settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 1
    user = _listener_with([catalog_track(LYRICS, nth=n) for n in range(3)], settings=settings)
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = queue_analysis(user_id=user.pk)
    assert _handed(queue) == [first.pk]

    with django_capture_on_commit_callbacks(execute=True):
        run_batch(batch_id=first.pk)
    assert _handed(queue) == [first.pk, second.pk]

    # A second delivery of the finished batch's task hands nothing more over.
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(batch_id=first.pk)
    assert _handed(queue) == [first.pk, second.pk]
    assert AnalysisBatch.objects.get(pk=third.pk).enqueued_at is None


@pytest.mark.django_db
def test_a_small_listener_queues_behind_only_the_big_listeners_allowance(
    settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 2
    ProviderFactory()
    big = _listener_with([catalog_track(LYRICS, nth=n) for n in range(8)], settings=settings)
    small = _listener_with([catalog_track(LYRICS, nth=8)], settings=settings)

    with django_capture_on_commit_callbacks(execute=True):
        big_batches = queue_analysis(user_id=big.pk)
        (small_batch,) = queue_analysis(user_id=small.pk)
        # The big listener's first batch ends: its next goes behind the small listener's.
        AnalysisBatch.objects.filter(pk=big_batches[0].pk).update(status=RunStatus.SUCCEEDED)
        feeding.feed(user_id=big.pk)

    assert _handed(queue) == [big_batches[0].pk, big_batches[1].pk, small_batch.pk, big_batches[2].pk]


@pytest.mark.django_db
def test_a_batch_is_handed_over_once_however_many_feeders_come_after(
    settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 3
    ProviderFactory()
    user = _listener_with([catalog_track(LYRICS, nth=n) for n in range(4)], settings=settings)
    with django_capture_on_commit_callbacks(execute=True):
        batches = queue_analysis(user_id=user.pk)
        # Every feeder afterwards (the end of a batch, the sweep, a broker refusal) finds no room.
        for _ in range(3):
            feeding.feed(user_id=user.pk)
            feeding.feed_everyone()

    assert sorted(_handed(queue)) == [batch.pk for batch in batches[:3]]


@pytest.mark.django_db
def test_a_broker_refusal_fails_one_batch_and_leaves_the_rest_held_for_the_sweep(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    from core import queues

    settings.ANALYSIS_BATCHES_PER_LISTENER = 1
    ProviderFactory()
    user = _listener_with([catalog_track(LYRICS, nth=n) for n in range(4)], settings=settings)

    def refuse(*args, **kwargs):
        raise ConnectionError("broker away")

    monkeypatch.setattr(queues, "async_task", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        first, *rest = queue_analysis(user_id=user.pk)

    assert AnalysisBatch.objects.get(pk=first.pk).status == RunStatus.FAILED
    # Not a cascade through the backlog: the others wait, held, for the broker to come back.
    assert AnalysisBatch.objects.filter(pk__in=[b.pk for b in rest], enqueued_at__isnull=True).count() == 3


@pytest.mark.cluster
def test_on_a_real_bulk_cluster_a_small_listener_is_analysed_before_a_big_backlog(
    sandbox, fresh_llm_sandbox, start_qcluster
):
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=5.0,
    )  # fmt: skip
    big = UserFactory()
    in_playlist_of(big, *[catalog_track(LYRICS, nth=n) for n in range(10)])
    small = UserFactory()
    in_playlist_of(small, catalog_track(LYRICS, nth=10))
    env = {
        **sandbox_cluster_env(sandbox),
        "LYRICS_API_URL": fresh_llm_sandbox.lrclib_url,
        "ANALYSIS_BATCH_SIZE": "1",
        "ANALYSIS_BATCHES_PER_LISTENER": "1",
        "Q_BULK_WORKERS": "1",
    }
    # Both listeners' batches exist before the cluster starts, the big listener's first.
    from django.test.utils import override_settings

    with override_settings(ANALYSIS_BATCH_SIZE=1, ANALYSIS_BATCHES_PER_LISTENER=1):
        big_batches = queue_analysis(user_id=big.pk)
        (small_batch,) = queue_analysis(user_id=small.pk)
    cluster = start_qcluster(env=env, queues=("bulk",))

    deadline = time.monotonic() + 180
    while AnalysisBatch.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        assert time.monotonic() < deadline, cluster.log()[-4000:]
        time.sleep(0.3)

    finished = sorted(AnalysisBatch.objects.all(), key=lambda batch: batch.finished_at)
    order = [batch.pk for batch in finished]
    # One bulk worker, one batch per listener in the queue: the small listener waits for one
    # of the big listener's batches, not ten.
    assert order.index(small_batch.pk) <= 1, order
    assert all(batch.status == RunStatus.SUCCEEDED for batch in finished), [(b.pk, b.error) for b in finished]
    assert SongAnalysis.objects.count() == 11
    assert len(big_batches) == 10


@pytest.mark.django_db
def test_a_batch_gives_its_worker_to_a_waiting_listener_and_goes_on_from_where_it_stopped(
    analysis_llm, settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_TURN_SONGS = 2
    settings.ANALYSIS_BATCHES_PER_LISTENER = 1
    big = _listener_with([catalog_track(LYRICS, nth=n) for n in range(5)], settings=settings, batch_size=5)
    with django_capture_on_commit_callbacks(execute=True):
        (long_batch,) = queue_analysis(user_id=big.pk)
        # Alone, nobody waits: no turn is given.
        done = run_batch(batch_id=long_batch.pk)
    assert (done.status, done.analysed) == (RunStatus.SUCCEEDED, 5)

    settings.ANALYSIS_BATCH_SIZE = 5
    other_big = UserFactory()
    in_playlist_of(other_big, *[catalog_track(LYRICS, nth=n) for n in range(5, 10)])
    newcomer = UserFactory()
    in_playlist_of(newcomer, catalog_track(LYRICS, nth=10))
    with django_capture_on_commit_callbacks(execute=True):
        (slow,) = queue_analysis(user_id=other_big.pk)
        (waiting,) = queue_analysis(user_id=newcomer.pk)
    queue.calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first_turn = run_batch(batch_id=slow.pk)

    # Two songs, then the newcomer waits: back to the queue, behind the newcomer's batch.
    assert (first_turn.status, first_turn.analysed, first_turn.next_position) == (RunStatus.QUEUED, 2, 2)
    assert first_turn.claimed_by == "" and first_turn.finished_at is None
    # The task sent again carries the batch's turn (claims so far): 1.
    assert queue.calls == [(ANALYSE_BATCH_TASK, slow.pk, 1)]
    with django_capture_on_commit_callbacks(execute=True):
        assert run_batch(batch_id=waiting.pk).status == RunStatus.SUCCEEDED
        # A stale copy of the first turn's task (redelivered, or sent again as lost) claims nothing.
        stale = run_batch(batch_id=slow.pk, turn=0)
        assert (stale.status, stale.runs, stale.analysed) == (RunStatus.QUEUED, 1, 2)
        finished = run_batch(batch_id=slow.pk, turn=1)  # nobody waits now: it runs to its end

    assert (finished.status, finished.analysed, finished.runs) == (RunStatus.SUCCEEDED, 5, 2)
    assert SongAnalysis.objects.count() == 11  # every song once


@pytest.mark.django_db
def test_a_song_held_back_in_a_big_librarys_backlog_is_queued_for_a_small_listener_too(
    analysis_llm, settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCHES_PER_LISTENER = 1
    big = _listener_with([catalog_track(LYRICS, nth=n) for n in range(6)], settings=settings, batch_size=1)
    with django_capture_on_commit_callbacks(execute=True):
        big_batches = queue_analysis(user_id=big.pk)
    held = big_batches[-1]  # five batches behind the big listener's one place in the queue
    shared = held.tracks.get()
    small = UserFactory()
    in_playlist_of(small, shared)
    with django_capture_on_commit_callbacks(execute=True):
        (mine,) = queue_analysis(user_id=small.pk)

    assert _handed(queue)[-1] == mine.pk
    with django_capture_on_commit_callbacks(execute=True):
        run_batch(batch_id=mine.pk)
    assert SongAnalysis.objects.filter(track=shared).count() == 1
    # When the big listener's turn reaches that song, its batch skips it: analysed (and paid) once.
    AnalysisBatch.objects.filter(pk=held.pk).update(enqueued_at=held.created_at)  # handed over at last
    done = run_batch(batch_id=held.pk)
    assert (done.status, done.analysed, done.skipped) == (RunStatus.SUCCEEDED, 0, 1)
    assert SongAnalysis.objects.filter(track=shared).count() == 1


@pytest.mark.django_db
def test_a_batch_gives_its_worker_to_another_listeners_written_insight_waiting_on_the_bulk_queue(
    analysis_llm, settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_TURN_SONGS = 2
    big = _listener_with([catalog_track(LYRICS, nth=n) for n in range(5)], settings=settings, batch_size=5)
    with django_capture_on_commit_callbacks(execute=True):
        (batch,) = queue_analysis(user_id=big.pk)
    # Another listener's insight, handed to the bulk queue and waiting for a worker.
    GeneratedInsightFactory(status=RunStatus.QUEUED, enqueued_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        first_turn = run_batch(batch_id=batch.pk)

    assert (first_turn.status, first_turn.analysed) == (RunStatus.QUEUED, 2)
