"""analyses_settled: sent after commit once a listener has no analysis batch queued or running,
so whoever waits for their analyses (an auto-route, the listening refresh) is never left waiting."""

from __future__ import annotations

import pytest

from analysis.models import AnalysisBatch
from core import queues, runs
from core.runs import RunStatus
from analysis.services import batches
from analysis.services.batches import run_batch
from analysis.services.queueing import queue_analysis, queue_analysis_after_import
from analysis.signals import analyses_settled
from tests.analysis.factories import SongAnalysisFactory
from tests.analysis.support import LYRICS, catalog_track, in_playlist_of
from tests.accounts.factories import UserFactory
from tests.library.factories import PlaylistItemFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def settled():
    """The user ids analyses_settled was sent for, in order."""
    sent: list[int] = []

    def receiver(sender, *, user_id: int, **kwargs) -> None:
        sent.append(user_id)

    analyses_settled.connect(receiver, weak=False, dispatch_uid="test-settled")
    yield sent
    analyses_settled.disconnect(dispatch_uid="test-settled")


def test_the_listeners_last_batch_to_end_announces_it_after_commit(
    analysis_llm, settled, django_capture_on_commit_callbacks
):
    user = UserFactory()
    in_playlist_of(user, *(catalog_track(LYRICS, nth=n) for n in range(2)))
    first, second = queue_analysis(user_id=user.pk, batch_size=1)

    with django_capture_on_commit_callbacks(execute=True):
        run_batch(batch_id=first.pk)
    assert settled == []  # the second batch is still queued

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ended = run_batch(batch_id=second.pk)
    assert ended.status == RunStatus.SUCCEEDED and settled == []  # not before the commit
    for callback in callbacks:
        callback()

    assert settled == [user.pk]


def test_a_batch_that_fails_on_an_unexpected_error_announces_it_too(
    settled, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(batches, "analyse_track", broken)
    ProviderFactory()
    user = UserFactory()
    PlaylistItemFactory(playlist__user=user)
    (batch,) = queue_analysis(user_id=user.pk)

    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        run_batch(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.status == RunStatus.FAILED and settled == [user.pk]


def test_a_receiver_that_raises_leaves_the_batch_completed(
    analysis_llm, settled, django_capture_on_commit_callbacks
):
    def faulty(sender, **kwargs):
        raise RuntimeError("a receiver's own trouble")

    analyses_settled.connect(faulty, weak=False, dispatch_uid="test-faulty")
    try:
        user = UserFactory()
        in_playlist_of(user, catalog_track(LYRICS))
        (batch,) = queue_analysis(user_id=user.pk)

        with django_capture_on_commit_callbacks(execute=True):
            ended = run_batch(batch_id=batch.pk)
    finally:
        analyses_settled.disconnect(dispatch_uid="test-faulty")

    assert ended.status == RunStatus.SUCCEEDED and settled == [user.pk]


def test_an_import_that_finds_nothing_to_queue_announces_it_after_commit(
    settled, queue, django_capture_on_commit_callbacks
):
    ProviderFactory()
    user = UserFactory()
    SongAnalysisFactory(track=PlaylistItemFactory(playlist__user=user).track)  # analysed already

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert queue_analysis_after_import(user_id=user.pk) == []
    assert settled == []
    for callback in callbacks:
        callback()

    assert settled == [user.pk] and queue.calls == []


def test_an_import_without_an_llm_provider_announces_it_too(settled, django_capture_on_commit_callbacks):
    user = UserFactory()
    PlaylistItemFactory(playlist__user=user)

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_analysis_after_import(user_id=user.pk) == []

    assert settled == [user.pk]


def test_an_import_that_queues_batches_leaves_the_announcement_to_them(
    settled, queue, django_capture_on_commit_callbacks
):
    ProviderFactory()
    user = UserFactory()
    PlaylistItemFactory(playlist__user=user)

    with django_capture_on_commit_callbacks(execute=True):
        (batch,) = queue_analysis_after_import(user_id=user.pk)

    assert settled == [] and queue.calls == [(batches.ANALYSE_BATCH_TASK, batch.pk, 0)]


def test_nothing_to_queue_while_an_earlier_batch_is_active_announces_nothing(
    settled, queue, django_capture_on_commit_callbacks
):
    ProviderFactory()
    user = UserFactory()
    AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.RUNNING)

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_analysis_after_import(user_id=user.pk) == []

    assert settled == []


def test_batches_the_broker_would_not_take_end_failed_and_announce_it(
    settled, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(queues, "async_task", broken)
    ProviderFactory()
    user = UserFactory()
    PlaylistItemFactory(playlist__user=user)

    with django_capture_on_commit_callbacks(execute=True):
        (batch,) = queue_analysis_after_import(user_id=user.pk)

    batch.refresh_from_db()
    assert batch.status == RunStatus.FAILED and settled == [user.pk]


def test_cancelling_the_listeners_last_queued_batch_announces_it(settled, django_capture_on_commit_callbacks):
    from core.run_control import cancel_run

    user = UserFactory()
    batch = AnalysisBatch.objects.create(user=user, prompt_version="v", status=RunStatus.QUEUED)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_run(run=batch, by="staff")

    assert settled == [user.pk]


def test_a_dead_workers_batch_the_broker_will_not_take_back_ends_failed_and_announces_it(
    settled, monkeypatch, django_capture_on_commit_callbacks
):
    from core import recovery

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(queues, "async_task", broken)
    user = UserFactory()
    batch = AnalysisBatch.objects.create(
        user=user, prompt_version="v", status=RunStatus.RUNNING, claimed_by="gone-host:1"
    )

    with django_capture_on_commit_callbacks(execute=True):
        recovery._hand_back(AnalysisBatch, pk=batch.pk, claimed_by="gone-host:1", reason="worker gone")

    batch.refresh_from_db()
    assert batch.status == RunStatus.FAILED and settled == [user.pk]
