"""The issue's "done when", on a real qcluster: after a listener's import, with no button
pressed, the Insights page shows charts and a written wellness insight."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from analysis.models import AnalysisBatch
from core.runs import RunStatus
from insights.models import GeneratedInsight, ListeningSnapshot, Play
from llm.models import ProviderKind
from core.runs import RunStatus
from sync.services import triggers
from tests.fixtures.cluster import sandbox_cluster_env
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def test_after_an_import_the_insights_page_shows_charts_and_a_written_wellness_insight(
    sandbox, fresh_llm_sandbox, start_qcluster
):
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=5.0,
    )  # fmt: skip
    env = {**sandbox_cluster_env(sandbox), "LYRICS_API_URL": fresh_llm_sandbox.lrclib_url}
    cluster = start_qcluster(env={**env, "ANALYSIS_BATCH_SIZE": "50"})
    user = signed_in(sandbox, "other")

    event, _ = triggers.request_import(user=user, trigger=triggers.Trigger.BUTTON)
    assert wait_for(event.pk, lambda e: not e.is_active, clusters=[cluster]).status == RunStatus.SUCCEEDED

    deadline = time.monotonic() + 240
    while not GeneratedInsight.objects.filter(user=user, status=RunStatus.SUCCEEDED).exists():
        assert time.monotonic() < deadline, cluster.log()[-4000:]
        assert not GeneratedInsight.objects.filter(user=user, status=RunStatus.FAILED).exists()
        time.sleep(0.5)
    # The snapshots waited for the song analyses, so their moods come from every analysed song.
    assert not AnalysisBatch.objects.filter(
        user=user, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()
    assert ListeningSnapshot.objects.filter(user=user).count() == 3
    assert Play.objects.filter(user=user).count() == 50
    short = ListeningSnapshot.objects.get(user=user, time_range="short_term")
    assert short.mood_distribution and short.analysed_tracks > 0 and short.genre_distribution
    (insight,) = GeneratedInsight.objects.filter(user=user)
    assert (insight.kind, insight.snapshot_id, insight.provider) == ("wellness", short.pk, "primary")

    browser = Client()
    browser.force_login(user)
    page = browser.get("/insights/").content.decode()
    assert "Most played artists" in page and 'class="heat-cell"' in page and 'class="seg"' in page
    assert 'id="insight-wellness"' in page and insight.headline.split()[0] in page
