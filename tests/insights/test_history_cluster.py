"""The hourly history poll on a real `qcluster`, against the live sandbox."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_q.tasks import async_task

from insights.models import GapReason, HistoryGap, HistoryState, Play
from tests.fixtures.cluster import sandbox_cluster_env
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.cluster

TASK = "insights.tasks.poll_all_histories"


def test_the_cluster_polls_every_listeners_history_and_the_next_round_records_an_overflow(
    sandbox, start_qcluster
):
    demo = signed_in(sandbox, "demo")
    other = signed_in(sandbox, "other")
    cluster = start_qcluster(env=sandbox_cluster_env(sandbox))

    first = cluster.wait_for_task(async_task(TASK), timeout=90)

    assert first.success, first.result
    assert first.result == "history polls: 2 polled; 100 new play(s)"
    assert Play.objects.filter(user=demo).count() == Play.objects.filter(user=other).count() == 50
    cursor = HistoryState.objects.get(user=demo).cursor_played_at

    added = sandbox.add_plays("demo", 80)
    second = cluster.wait_for_task(async_task(TASK), timeout=60)

    assert second.success, second.result
    assert second.result == "history polls: 2 polled; 50 new play(s)"
    (gap,) = HistoryGap.objects.all()
    oldest_received = datetime.fromisoformat(added["plays"][49]["played_at"])
    assert (gap.user_id, gap.reason, gap.starts_at, gap.ends_at) == (
        demo.pk,
        GapReason.OVERFLOW,
        cursor,
        oldest_received,
    )
