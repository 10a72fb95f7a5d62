"""The hourly history poll on a real bulk `qcluster`, against the live sandbox: the round queues a
task per chunk of listeners, and each chunk polls its listeners."""

from __future__ import annotations

from datetime import datetime

import pytest
from django_q.models import Task

from core.queues import BULK, enqueue

from insights.models import GapReason, HistoryGap, HistoryState, Play
from tests.fixtures.cluster import sandbox_cluster_env
from tests.sync.cluster_support import signed_in

pytestmark = pytest.mark.cluster

TASK = "insights.tasks.poll_all_histories"
CHUNK = "insights.tasks.poll_histories_of"


def _round(cluster, *, timeout: float) -> list[str]:
    """Run the round on the cluster; the results of the chunk tasks it queued, by listener."""
    before = set(Task.objects.filter(func=CHUNK).values_list("id", flat=True))
    queued = cluster.wait_for_task(enqueue(TASK, queue=BULK), timeout=timeout)
    assert queued.success and queued.result == "history polls: 2 listener(s) in 2 task(s)", queued.result
    chunks = [cluster.wait_for_task(task_id, timeout=timeout) for task_id in _new_chunks(before, timeout)]
    assert all(chunk.success for chunk in chunks), [chunk.result for chunk in chunks]
    return sorted(chunk.result for chunk in chunks)


def _new_chunks(before: set[str], timeout: float) -> list[str]:
    import time

    deadline = time.monotonic() + timeout
    while True:
        new = set(Task.objects.filter(func=CHUNK).values_list("id", flat=True)) - before
        if len(new) == 2 or time.monotonic() > deadline:
            return sorted(new)
        time.sleep(0.2)


def test_the_cluster_polls_every_listeners_history_and_the_next_round_records_an_overflow(
    sandbox, start_qcluster
):
    demo = signed_in(sandbox, "demo")
    other = signed_in(sandbox, "other")
    # A chunk per listener: each its own task and job record.
    cluster = start_qcluster(env={**sandbox_cluster_env(sandbox), "LISTENER_ROUND_CHUNK": "1"}, queues=(BULK,))

    first = _round(cluster, timeout=90)

    assert first == ["history polls: 1 polled; 50 new play(s)"] * 2
    assert Play.objects.filter(user=demo).count() == Play.objects.filter(user=other).count() == 50
    cursor = HistoryState.objects.get(user=demo).cursor_played_at

    added = sandbox.add_plays("demo", 80)
    second = _round(cluster, timeout=60)

    assert second == ["history polls: 1 polled; 0 new play(s)", "history polls: 1 polled; 50 new play(s)"]
    (gap,) = HistoryGap.objects.all()
    oldest_received = datetime.fromisoformat(added["plays"][49]["played_at"])
    assert (gap.user_id, gap.reason, gap.starts_at, gap.ends_at) == (
        demo.pk,
        GapReason.OVERFLOW,
        cursor,
        oldest_received,
    )
