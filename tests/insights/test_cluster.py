"""Song analysis on a real `qcluster`: an import queues batches, and the cluster analyses every
track of the listener against the LLM sandbox (provider and LRCLIB)."""

from __future__ import annotations

import time

import pytest

from insights.models import AnalysisBatch, BatchStatus, SongAnalysis
from library.models import PlaylistItem
from llm.models import ProviderKind
from sync.models import SyncStatus
from sync.services import triggers
from tests.fixtures.cluster import sandbox_cluster_env
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def test_the_cluster_analyses_the_tracks_an_import_queued(sandbox, fresh_llm_sandbox, start_qcluster):
    # The provider is a database row, which the cluster reads; LRCLIB is a setting, so it goes
    # in the cluster's environment.
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=5.0,
    )  # fmt: skip
    env = {**sandbox_cluster_env(sandbox), "LYRICS_API_URL": fresh_llm_sandbox.lrclib_url}
    cluster = start_qcluster(env={**env, "ANALYSIS_BATCH_SIZE": "25"})
    user = signed_in(sandbox, "other")

    event, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    imported = wait_for(event.pk, lambda e: not e.is_active, clusters=[cluster])
    assert imported.status == SyncStatus.COMPLETED, imported.error

    deadline = time.monotonic() + 180
    while AnalysisBatch.objects.exclude(status__in=[BatchStatus.COMPLETED, BatchStatus.FAILED]).exists():
        assert time.monotonic() < deadline, cluster.log()[-4000:]
        time.sleep(0.3)
    batches = list(AnalysisBatch.objects.filter(user=user))
    assert batches and all(batch.status == BatchStatus.COMPLETED for batch in batches), [
        (b.pk, b.status, b.error) for b in batches
    ]
    assert all(cluster.wait_for_task(batch.task_id).success for batch in batches)
    track_ids = set(
        PlaylistItem.objects.filter(playlist__user=user, kind="track").values_list("track_id", flat=True)
    )
    analysed = set(SongAnalysis.objects.values_list("track_id", flat=True))
    assert analysed == track_ids
    assert sum(batch.analysed for batch in batches) == len(track_ids)
