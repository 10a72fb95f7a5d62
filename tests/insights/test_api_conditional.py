"""Conditional and cached reads of GET /api/insights/: answered from the cache, or 304, only
while the page's rows are the same; never another listener's."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.runs import RunStatus
from insights.models import GeneratedInsight, InsightKind
from tests.accounts.factories import UserFactory
from tests.insights.factories import GeneratedInsightFactory, RichListeningSnapshotFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

LIST = "/api/insights/"


@pytest.fixture
def snapshot():
    return RichListeningSnapshotFactory()


@pytest.fixture
def api(snapshot) -> APIClient:
    client = APIClient()
    client.force_authenticate(snapshot.user)
    return client


def test_an_unchanged_list_answers_304_and_an_insight_written_again_is_fresh(api, snapshot):
    insight = GeneratedInsightFactory(snapshot=snapshot, status=RunStatus.QUEUED, headline="")
    first = api.get(LIST)
    assert api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    # The writer's steps are update()s: no timestamp of its own says the row changed.
    GeneratedInsight.objects.filter(pk=insight.pk).update(status=RunStatus.SUCCEEDED, headline="Night owl")
    after = api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert (after.json()["results"][0]["status"], after.json()["results"][0]["headline"]) == (
        RunStatus.SUCCEEDED,
        "Night owl",
    )


def test_each_filter_has_its_own_answer(api, snapshot):
    GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.ROAST)
    GeneratedInsightFactory(snapshot=snapshot, kind=InsightKind.WELLNESS)
    every = api.get(LIST)

    roasts = api.get(LIST, {"type": "roast"}, HTTP_IF_NONE_MATCH=every["ETag"])

    assert roasts.status_code == 200 and [i["type"] for i in roasts.json()["results"]] == ["roast"]


def test_a_stranger_never_gets_the_owners_304_or_cached_list(api, snapshot):
    GeneratedInsightFactory(snapshot=snapshot)
    owners = api.get(LIST)

    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    theirs = stranger.get(LIST, HTTP_IF_NONE_MATCH=owners["ETag"])

    assert theirs.status_code == 200 and theirs.json()["count"] == 0


def test_anonymous_callers_get_401_even_with_the_owners_etag(api, snapshot):
    GeneratedInsightFactory(snapshot=snapshot)
    owners = api.get(LIST)

    assert APIClient().get(LIST, HTTP_IF_NONE_MATCH=owners["ETag"]).status_code == 401


def test_a_page_costs_its_count_and_rows_built_or_cached(
    api, snapshot, django_assert_max_num_queries, memory_cache
):
    for kind in InsightKind.values:
        GeneratedInsightFactory(snapshot=snapshot, kind=kind)

    with django_assert_max_num_queries(2):
        first = api.get(LIST)
    with django_assert_max_num_queries(2):
        assert api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    assert first.json()["count"] == len(InsightKind.values)
