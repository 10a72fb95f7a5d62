"""Running analysis batches: idempotent, postponed (not failed) while every provider is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from analysis import tasks
from analysis.models import AnalysisBatch, AnalysisClaim, Lyrics, LyricsStatus, SongAnalysis
from core.runs import RunStatus
from analysis.services.analysis import analyse_track
from analysis.services.batches import ANALYSE_BATCH_TASK, run_batch
from analysis.services.lyrics import get_lyrics
from analysis.services.queueing import queue_analysis
from llm.models import ProviderHealth
from tests.analysis.support import LYRICS, catalog_track, in_playlist_of
from tests.accounts.factories import UserFactory
from tests.support.stub_server import stub_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener_with_tracks():
    user = UserFactory()
    tracks = [catalog_track(LYRICS, nth=n) for n in range(3)]
    in_playlist_of(user, *tracks)
    return user, tracks


def test_a_batch_analyses_its_tracks_and_says_so(analysis_llm, listener_with_tracks):
    user, tracks = listener_with_tracks
    (batch,) = queue_analysis(user_id=user.pk)

    result = tasks.analyse_batch(batch.pk)

    batch.refresh_from_db()
    assert batch.status == RunStatus.SUCCEEDED and batch.finished_at and batch.runs == 1
    assert (batch.analysed, batch.skipped, batch.deferred, batch.failed) == (3, 0, 0, 0)
    assert "succeeded (3 analysed" in result
    assert SongAnalysis.objects.filter(track__in=tracks).count() == 3


def test_a_second_delivery_of_the_task_does_nothing(analysis_llm, listener_with_tracks):
    user, _ = listener_with_tracks
    (batch,) = queue_analysis(user_id=user.pk)
    run_batch(batch_id=batch.pk)
    calls = analysis_llm.sandbox.requests_to("primary")

    again = run_batch(batch_id=batch.pk)

    assert again.status == RunStatus.SUCCEEDED and again.runs == 1
    assert analysis_llm.sandbox.requests_to("primary") == calls


def test_all_providers_down_queues_the_batch_again_and_it_completes_once_one_is_back(
    analysis_llm, listener_with_tracks
):
    user, tracks = listener_with_tracks
    (batch,) = queue_analysis(user_id=user.pk)
    # One track got its analysis before the outage (another listener's batch, say).
    analyse_track(track_id=tracks[0].pk, worker="earlier")
    sandbox = analysis_llm.sandbox
    sandbox.fault(provider="*", kind="down")

    postponed = run_batch(batch_id=batch.pk)

    assert postponed.status == RunStatus.QUEUED and postponed.finished_at is None
    assert postponed.resume_at > timezone.now()
    assert "Waiting for an LLM provider" in postponed.error
    resume = Schedule.objects.get(name=f"analysis-batch-resume-{batch.pk}")
    assert (resume.func, resume.args, resume.schedule_type) == (
        ANALYSE_BATCH_TASK,
        f"({batch.pk},)",
        Schedule.ONCE,
    )
    assert abs((resume.next_run - postponed.resume_at).total_seconds()) < 1
    assert SongAnalysis.objects.count() == 1 and not AnalysisClaim.objects.exists()
    # Too early: the schedule has not come due, so a stray delivery finds nothing to claim.
    assert run_batch(batch_id=batch.pk).status == RunStatus.QUEUED

    # The provider is back and its cooldown over; the schedule fires.
    sandbox.clear_faults()
    past = timezone.now() - timedelta(seconds=1)
    ProviderHealth.objects.update(opened_until=past)
    AnalysisBatch.objects.filter(pk=batch.pk).update(resume_at=past)
    tasks.analyse_batch(batch.pk)

    done = AnalysisBatch.objects.get(pk=batch.pk)
    assert done.status == RunStatus.SUCCEEDED and done.runs == 2, done.error
    assert (done.analysed, done.skipped) == (2, 1)
    assert SongAnalysis.objects.filter(track__in=tracks).count() == 3


def test_deferred_and_failed_tracks_are_reported_on_the_completed_batch(analysis_llm, listener_with_tracks):
    user, _ = listener_with_tracks
    (batch,) = queue_analysis(user_id=user.pk)
    analysis_llm.sandbox.fault(provider="lrclib", kind="down", count=1)

    done = run_batch(batch_id=batch.pk)

    assert done.status == RunStatus.SUCCEEDED
    assert (done.analysed, done.deferred) == (2, 1)
    assert "wait for their lyrics" in done.error


def test_an_lrclib_answer_nested_ten_thousand_deep_defers_its_track_and_the_batch_goes_on(
    analysis_llm, listener_with_tracks, settings
):
    user, tracks = listener_with_tracks
    for track in tracks[:2]:  # fetched from the sandbox's LRCLIB: stored, not asked again
        assert get_lyrics(track=track).status == LyricsStatus.FOUND
    (batch,) = queue_analysis(user_id=user.pk)
    with stub_server(body="[" * 10_000 + "]" * 10_000) as odd_lrclib:
        settings.LYRICS_API_URL = odd_lrclib.url

        done = run_batch(batch_id=batch.pk)

    assert done.status == RunStatus.SUCCEEDED
    assert (done.analysed, done.deferred, done.failed) == (2, 1, 0)
    lyrics = Lyrics.objects.get(track=tracks[2])
    assert (lyrics.status, lyrics.error) == (
        LyricsStatus.ERROR,
        "/api/get: The answer was nested more than 32 levels deep.",
    )
    assert not SongAnalysis.objects.filter(track=tracks[2]).exists()
