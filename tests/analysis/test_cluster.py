"""Song analysis on a real `qcluster`: an import queues batches, and the cluster analyses every
track of the listener against the LLM sandbox (provider and LRCLIB)."""

from __future__ import annotations

import time

import pytest

from analysis.models import AnalysisBatch, SongAnalysis
from core.runs import RunStatus
from library.models import PlaylistItem
from llm.models import ProviderKind
from core.runs import RunStatus
from sync.services import triggers
from tests.fixtures.cluster import sandbox_cluster_env
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def _provider_and_env(sandbox, llm_sandbox) -> dict[str, str]:
    # The provider is a database row, which the cluster reads; LRCLIB is a setting, so it goes
    # in the cluster's environment.
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=5.0,
    )  # fmt: skip
    return {**sandbox_cluster_env(sandbox), "LYRICS_API_URL": llm_sandbox.lrclib_url}


def _import(sandbox, user, cluster) -> None:
    event, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    imported = wait_for(event.pk, lambda e: not e.is_active, clusters=[cluster])
    assert imported.status == RunStatus.SUCCEEDED, imported.error


def _wait_for_batches(clusters, *, timeout: float = 180) -> list[AnalysisBatch]:
    deadline = time.monotonic() + timeout
    # The import's run ends before its after-commit receivers queue the batches, so first wait
    # for the batches to exist, then for each to end.
    while not AnalysisBatch.objects.exists():
        assert time.monotonic() < deadline, "\n".join(cluster.log()[-3000:] for cluster in clusters)
        time.sleep(0.1)
    while AnalysisBatch.objects.exclude(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]).exists():
        assert time.monotonic() < deadline, "\n".join(cluster.log()[-3000:] for cluster in clusters)
        time.sleep(0.3)
    batches = list(AnalysisBatch.objects.all())
    assert batches and all(batch.status == RunStatus.SUCCEEDED for batch in batches), [
        (b.pk, b.status, b.error) for b in batches
    ]
    return batches


def _track_ids_of(user) -> set[str]:
    return set(
        PlaylistItem.objects.filter(playlist__user=user, kind="track").values_list("track_id", flat=True)
    )


def test_the_cluster_analyses_the_tracks_an_import_queued(sandbox, fresh_llm_sandbox, start_qcluster):
    env = _provider_and_env(sandbox, fresh_llm_sandbox)
    cluster = start_qcluster(env={**env, "ANALYSIS_BATCH_SIZE": "25"})
    user = signed_in(sandbox, "other")

    _import(sandbox, user, cluster)

    batches = _wait_for_batches([cluster])
    assert all(cluster.wait_for_task(batch.task_id).success for batch in batches)
    track_ids = _track_ids_of(user)
    assert set(SongAnalysis.objects.values_list("track_id", flat=True)) == track_ids
    assert sum(batch.analysed for batch in batches) == len(track_ids)


def test_a_batch_of_a_killed_cluster_is_finished_by_the_next_one_and_no_song_is_lost(
    sandbox, fresh_llm_sandbox, start_qcluster
):
    env = {**_provider_and_env(sandbox, fresh_llm_sandbox), "ANALYSIS_BATCH_SIZE": "500"}
    first = start_qcluster(env=env)
    user = signed_in(sandbox, "other")
    # Slow answers, so the batch is still running when the cluster dies.
    fresh_llm_sandbox.fault(provider="primary", kind="slow", latency_ms=300)
    _import(sandbox, user, first)
    deadline = time.monotonic() + 60
    while not AnalysisBatch.objects.filter(status=RunStatus.RUNNING, next_position__gte=3).exists():
        assert time.monotonic() < deadline, first.log()[-3000:]
        time.sleep(0.1)

    first.kill()
    fresh_llm_sandbox.clear_faults()
    (orphan,) = AnalysisBatch.objects.filter(status=RunStatus.RUNNING)
    second = start_qcluster(env=env)

    # The new cluster's workers find the batch of the dead one as they spawn and resume it.
    batches = _wait_for_batches([first, second])
    resumed = next(batch for batch in batches if batch.pk == orphan.pk)
    assert resumed.runs == 2 and resumed.next_position == resumed.track_total
    counted = resumed.analysed + resumed.skipped + resumed.deferred + resumed.failed
    assert counted == resumed.track_total  # each song counted once, across both runs
    track_ids = _track_ids_of(user)
    assert set(SongAnalysis.objects.values_list("track_id", flat=True)) == track_ids
