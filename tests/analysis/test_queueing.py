"""After every import, the listener's unanalysed tracks are queued in batches, one task each,
handed to the bulk queue a few per listener at a time (the rest held in the database)."""

from __future__ import annotations

import pytest

from analysis.models import AnalysisBatch, AnalysisBatchTrack
from core import queues, runs
from analysis.services import queueing
from analysis.services.batches import ANALYSE_BATCH_TASK
from analysis.services.queueing import queue_analysis, tracks_needing_analysis
from library.models import PlaylistItem
from core.runs import RunStatus
from tests.analysis.factories import SongAnalysisFactory
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistItemFactory
from tests.llm.factories import ProviderFactory
from tests.sync.import_support import connect, import_library

pytestmark = pytest.mark.django_db


def user_track_ids(user) -> set[str]:
    return set(
        PlaylistItem.objects.filter(playlist__user=user, kind="track").values_list("track_id", flat=True)
    )


def test_an_import_queues_every_unanalysed_track_in_batches_of_the_configured_size(
    sandbox, settings, queue, django_capture_on_commit_callbacks
):
    settings.ANALYSIS_BATCH_SIZE = 7
    ProviderFactory()
    user = connect(sandbox)

    with django_capture_on_commit_callbacks(execute=True):
        event = import_library(user)

    assert event.status == RunStatus.SUCCEEDED, event.error
    batches = list(AnalysisBatch.objects.filter(user=user).order_by("pk"))
    queued = list(AnalysisBatchTrack.objects.filter(batch__in=batches).values_list("track_id", flat=True))
    assert sorted(queued) == sorted(user_track_ids(user)) and len(queued) > 7
    assert all(batch.track_total <= 7 and batch.status == RunStatus.QUEUED for batch in batches)
    # The listener's allowance (2) goes to the broker, the oldest first; the rest wait, held.
    # Each task carries its batch's turn: 0, never claimed yet.
    assert queue.of(ANALYSE_BATCH_TASK) == [(ANALYSE_BATCH_TASK, batch.pk, 0) for batch in batches[:2]]
    stored = list(AnalysisBatch.objects.order_by("pk"))
    assert all(batch.task_id and batch.enqueued_at for batch in stored[:2])
    assert not any(batch.task_id or batch.enqueued_at for batch in stored[2:])


def test_a_second_import_queues_nothing_already_queued_or_analysed(
    sandbox, settings, queue, django_capture_on_commit_callbacks
):
    ProviderFactory()
    user = connect(sandbox)
    with django_capture_on_commit_callbacks(execute=True):
        import_library(user)
    first_batches = AnalysisBatch.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        import_library(user)

    assert AnalysisBatch.objects.count() == first_batches


def test_tracks_already_analysed_are_not_queued():
    user = UserFactory()
    analysed = PlaylistItemFactory(playlist__user=user).track
    fresh = PlaylistItemFactory(playlist__user=user).track
    PlaylistItemFactory()  # someone else's track
    SongAnalysisFactory(track=analysed)

    assert tracks_needing_analysis(user_id=user.pk) == [fresh.pk]


def test_nothing_is_queued_while_no_llm_provider_is_enabled(queue):
    user = UserFactory()
    PlaylistItemFactory(playlist__user=user)
    ProviderFactory(enabled=False)

    assert queue_analysis(user_id=user.pk) == []
    assert not AnalysisBatch.objects.exists()


def test_a_broker_that_does_not_answer_fails_the_batch_so_the_next_import_queues_it_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(queues, "async_task", broken)
    ProviderFactory()
    user = UserFactory()
    track = PlaylistItemFactory(playlist__user=user).track

    with django_capture_on_commit_callbacks(execute=True):
        (batch,) = queue_analysis(user_id=user.pk)

    batch.refresh_from_db()
    assert batch.status == RunStatus.FAILED and "broker" in batch.error
    assert tracks_needing_analysis(user_id=user.pk) == [track.pk]


def test_trouble_queueing_analyses_never_fails_the_import(sandbox, queue, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queueing, "queue_analysis", broken)
    ProviderFactory()

    event = import_library(connect(sandbox))

    assert event.status == RunStatus.SUCCEEDED, event.error
