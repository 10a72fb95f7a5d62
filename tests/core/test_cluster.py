from __future__ import annotations

import pytest
from django.core.cache import cache
from django_q.models import Task
from django_q.tasks import async_task

from core.queues import BULK, INTERACTIVE, cluster_name, enqueue
from core.tasks import heartbeat_key


@pytest.fixture
def no_heartbeats_yet(transactional_db):
    # The database cache and Redis outlive a test's database flush: none before, none left after
    # (a lone fresh heartbeat would make /health warn in a later test).
    keys = [heartbeat_key(queue) for queue in (INTERACTIVE, BULK)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.mark.cluster
def test_a_real_qcluster_process_runs_a_queued_task_and_saves_its_result(no_heartbeats_yet, qcluster):
    task_id = enqueue("core.tasks.cluster_heartbeat", queue=INTERACTIVE)

    task = qcluster.wait_for_task(task_id)

    assert task.success, task.result
    # The cluster wrote the heartbeat through the shared cache, in another process.
    assert cache.get(heartbeat_key(INTERACTIVE)) == task.result
    assert cache.get(heartbeat_key(BULK)) is None


@pytest.mark.cluster
def test_a_task_for_the_bulk_queue_runs_in_the_bulk_cluster_alone(no_heartbeats_yet, start_qcluster):
    cluster = start_qcluster(queues=(BULK,))
    on_bulk = enqueue("core.tasks.cluster_heartbeat", queue=BULK)
    on_interactive = enqueue("core.tasks.cluster_heartbeat", queue=INTERACTIVE)

    task = cluster.wait_for_task(on_bulk)

    assert task.success, task.result
    assert cache.get(heartbeat_key(BULK)) == task.result
    # Nobody runs the interactive queue here: its task waits for its own cluster.
    assert cache.get(heartbeat_key(INTERACTIVE)) is None
    assert not Task.objects.filter(id=on_interactive).exists()


@pytest.mark.cluster
def test_with_q_single_cluster_one_process_runs_both_queues_and_beats_for_both(
    no_heartbeats_yet, start_qcluster, settings
):
    settings.Q_SINGLE_CLUSTER = True  # this process enqueues as the cluster will read it
    cluster = start_qcluster(env={"Q_SINGLE_CLUSTER": "true"}, queues=(INTERACTIVE,))
    on_bulk = enqueue("core.tasks.cluster_heartbeat", queue=BULK)

    task = cluster.wait_for_task(on_bulk)

    assert task.success, task.result
    assert cache.get(heartbeat_key(BULK)) == cache.get(heartbeat_key(INTERACTIVE)) == task.result


@pytest.mark.cluster
def test_a_task_that_raises_is_recorded_as_failed_by_the_cluster(qcluster):
    task_id = async_task("core.tasks.no_such_task")

    task = qcluster.wait_for_task(task_id)

    assert not task.success
    assert "no_such_task" in str(task.result)


def test_cluster_timeout_is_below_retry_so_a_slow_task_is_not_handed_out_twice(settings):
    assert settings.Q_CLUSTER["timeout"] < settings.Q_CLUSTER["retry"]
    bulk = settings.Q_CLUSTER["ALT_CLUSTERS"][cluster_name(BULK)]
    assert bulk["timeout"] < bulk["retry"]
    assert settings.Q_CLUSTER["max_attempts"] >= 1


def test_the_two_queues_are_named_after_the_site_so_a_demo_sharing_redis_keeps_its_own():
    assert cluster_name(INTERACTIVE) == "linernotes-test"
    assert cluster_name(BULK) == "linernotes-test-bulk"
    with pytest.raises(ValueError):
        cluster_name("nightly")


def test_cluster_uses_redis_when_redis_url_is_set_and_the_orm_otherwise(settings):
    if settings.REDIS_URL:
        assert settings.Q_CLUSTER["redis"] == settings.REDIS_URL
        assert "orm" not in settings.Q_CLUSTER
    else:
        assert settings.Q_CLUSTER["orm"] == "default"
        assert "redis" not in settings.Q_CLUSTER
