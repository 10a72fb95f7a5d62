from __future__ import annotations

import pytest
from django.core.cache import cache
from django_q.tasks import async_task

from core.tasks import HEARTBEAT_KEY


@pytest.mark.cluster
def test_a_real_qcluster_process_runs_a_queued_task_and_saves_its_result(qcluster):
    task_id = async_task("core.tasks.cluster_heartbeat")

    task = qcluster.wait_for_task(task_id)

    assert task.success, task.result
    # The cluster wrote the heartbeat through the shared cache, in another process.
    assert cache.get(HEARTBEAT_KEY) == task.result


@pytest.mark.cluster
def test_a_task_that_raises_is_recorded_as_failed_by_the_cluster(qcluster):
    task_id = async_task("core.tasks.no_such_task")

    task = qcluster.wait_for_task(task_id)

    assert not task.success
    assert "no_such_task" in str(task.result)


def test_cluster_timeout_is_below_retry_so_a_slow_task_is_not_handed_out_twice(settings):
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    assert settings.Q_CLUSTER["max_attempts"] >= 1


def test_cluster_uses_redis_when_redis_url_is_set_and_the_orm_otherwise(settings):
    if settings.REDIS_URL:
        assert settings.Q_CLUSTER["redis"] == settings.REDIS_URL
        assert "orm" not in settings.Q_CLUSTER
    else:
        assert settings.Q_CLUSTER["orm"] == "default"
        assert "redis" not in settings.Q_CLUSTER
