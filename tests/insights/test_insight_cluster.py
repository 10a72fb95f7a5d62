"""An insight written by a real `qcluster`: asked for through the API, enqueued on the real broker,
written against the LLM sandbox, followed by polling GET /api/insights/{id} as the card does."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient
from core.runs import RunStatus
from insights.models import GeneratedInsight
from llm.models import ProviderKind
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.insights.factories import RichListeningSnapshotFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.cluster


def test_the_cluster_writes_a_wellness_insight_asked_for_through_the_api(fresh_llm_sandbox, start_qcluster):
    # The provider is a database row, which the cluster reads.
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=5.0,
    )  # fmt: skip
    snapshot = RichListeningSnapshotFactory()
    cluster = start_qcluster()
    api = APIClient()
    api.force_authenticate(snapshot.user)

    asked = api.post(
        "/api/insights/generate",
        {"snapshot": snapshot.pk, "type": "wellness", "tone": "supportive"},
        format="json",
    )

    assert asked.status_code == 202, asked.content
    insight_id, task_id = asked.json()["insight"]["id"], asked.json()["task_id"]
    assert task_id and asked.json()["status_url"] == f"/api/tasks/{task_id}"
    deadline = time.monotonic() + 60
    while (body := api.get(f"/api/insights/{insight_id}").json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, cluster.log()[-3000:]
        time.sleep(0.3)
    assert body["status"] == "succeeded", body["error"]
    assert body["headline"] and body["paragraphs"] and body["highlights"]
    assert (body["provider"], body["model"], body["generation"]) == ("primary", PRIMARY_MODEL, 1)
    assert cluster.wait_for_task(task_id).success
    assert fresh_llm_sandbox.requests_to("primary") == 1

    # Asking again is served from the stored insight: no task, no LLM call.
    again = api.post(
        "/api/insights/generate",
        {"snapshot": snapshot.pk, "type": "wellness", "tone": "supportive"},
        format="json",
    )
    assert again.status_code == 200 and again.json()["insight"]["headline"] == body["headline"]
    assert fresh_llm_sandbox.requests_to("primary") == 1
    assert GeneratedInsight.objects.get(pk=insight_id).status == RunStatus.SUCCEEDED
