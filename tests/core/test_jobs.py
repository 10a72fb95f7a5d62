"""Job records: written from Django-Q2's signals (on a real cluster and with sync=True), marked
when a schedule started them, attributed to a user; pruned after JOB_RECORD_DAYS; failed when
left running past the task time limit."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule, Task
from django_q.scheduler import scheduler
from django_q.tasks import async_task

from core import jobs, queues, tasks
from core.models import JobRecord, JobStatus
from tests.core.factories import JobRecordFactory
from tests.accounts.factories import UserFactory
from tests.sync.factories import SyncEventFactory

pytestmark = pytest.mark.django_db


def _finished_record(task_id: str, *, cluster, timeout: float = 30) -> JobRecord:
    # The monitor sends post_execute after it saved the Task: wait for the record, not the Task.
    cluster.wait_for_task(task_id, timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = JobRecord.objects.filter(task_id=task_id).first()
        if record is not None and record.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return record
        time.sleep(0.1)
    raise AssertionError(f"no finished record for {task_id}; log:\n{cluster.log()[-3000:]}")


@pytest.fixture
def empty_broker():
    """Tasks this test leaves in a Redis broker outlive its database; drop them after."""
    yield
    get_broker().purge_queue()


# --- on a real cluster -------------------------------------------------------------------------------
@pytest.mark.cluster
def test_a_task_run_by_the_cluster_leaves_a_succeeded_record_with_its_user_and_duration(start_qcluster):
    cluster = start_qcluster()
    owner = UserFactory()
    event = SyncEventFactory(user=owner, completed=True)

    task_id = async_task("sync.tasks.run_import", event.pk)

    queued = JobRecord.objects.get(task_id=task_id)
    assert (queued.label, queued.user_id, queued.scheduled) == ("Import", owner.pk, False)
    record = _finished_record(task_id, cluster=cluster)
    assert record.status == JobStatus.SUCCEEDED and record.error == ""
    assert record.result == f"import #{event.pk}: succeeded"
    assert record.user_id == owner.pk and record.func == "sync.tasks.run_import"
    assert record.enqueued_at <= record.started_at <= record.finished_at
    assert record.duration_seconds is not None and 0 <= record.duration_seconds < 30
    assert "Could not record" not in cluster.log()


@pytest.mark.cluster
def test_a_task_that_raises_leaves_a_failed_record_with_its_error(start_qcluster):
    cluster = start_qcluster()

    # A bad id makes the task raise (and its user lookup too: the enqueue still goes through).
    bad_id = async_task("sync.tasks.run_import", "not-an-id")
    unknown = async_task("insights.tasks.no_such_task")

    failed = _finished_record(bad_id, cluster=cluster)
    assert (failed.status, failed.label, failed.user_id) == (JobStatus.FAILED, "Import", None)
    assert "expected a number but got 'not-an-id'" in failed.error and failed.result == ""
    assert failed.duration_seconds is not None
    missing = _finished_record(unknown, cluster=cluster)
    assert missing.status == JobStatus.FAILED
    assert missing.label == "insights.tasks.no_such_task"  # unregistered: its dotted name
    assert "Function insights.tasks.no_such_task is not defined" in missing.error
    assert "Could not record" not in cluster.log()  # the recorder itself never failed


# --- in this process ----------------------------------------------------------------------------------
def test_a_sync_run_is_recorded_like_a_queued_one():
    owner = UserFactory()
    event = SyncEventFactory(user=owner, completed=True)

    task_id = async_task("sync.tasks.run_import", event.pk, sync=True)

    record = JobRecord.objects.get(task_id=task_id)
    assert (record.status, record.user_id, record.result) == (
        JobStatus.SUCCEEDED, owner.pk, f"import #{event.pk}: succeeded",
    )  # fmt: skip
    assert record.duration_seconds is not None


def test_a_sync_run_that_raises_is_recorded_as_failed_although_django_q_re_raises_it():
    with pytest.raises(ValueError, match="not-an-id"):
        async_task("sync.tasks.run_import", "not-an-id", sync=True)

    (record,) = JobRecord.objects.all()
    assert record.status == JobStatus.FAILED and record.finished_at is not None
    assert "expected a number but got 'not-an-id'" in record.error


def test_a_task_for_a_row_of_nobody_is_recorded_without_a_user(empty_broker):
    task_id = async_task("analysis.tasks.analyse_batch", 987654)

    record = JobRecord.objects.get(task_id=task_id)
    assert (record.status, record.label, record.user_id) == (JobStatus.QUEUED, "Song analysis batch", None)


def test_a_registered_task_taking_a_user_id_is_attributed_to_that_user(empty_broker):
    owner = UserFactory()

    known = async_task("insights.tasks.poll_history", owner.pk)
    nobody = async_task("insights.tasks.poll_history", owner.pk + 1000)

    assert JobRecord.objects.get(task_id=known).user_id == owner.pk
    assert JobRecord.objects.get(task_id=nobody).user_id is None  # no such user: no foreign key to break


@pytest.mark.django_db(transaction=True)
def test_tasks_the_scheduler_enqueues_are_marked_scheduled_and_others_are_not(empty_broker):
    call_command("ensure_schedules", stdout=io.StringIO())
    Schedule.objects.filter(name="cluster heartbeat").update(next_run=timezone.now() - timedelta(seconds=1))
    by_hand = async_task("core.tasks.cluster_heartbeat")

    scheduler()  # Django-Q2's own scheduler, as the cluster runs it every 30 s

    from_schedule = Schedule.objects.get(name="cluster heartbeat").task
    record = JobRecord.objects.get(task_id=from_schedule)
    assert (record.scheduled, record.label, record.status) == (True, "Cluster heartbeat", JobStatus.QUEUED)
    assert JobRecord.objects.get(task_id=by_hand).scheduled is False


# --- retention -------------------------------------------------------------------------------------------
def _failed_task(task_id: str, *, stopped) -> Task:
    return Task.objects.create(
        id=task_id,
        name=task_id,
        func="sync.tasks.run_import",
        started=stopped,
        stopped=stopped,
        success=False,
    )


def test_pruning_drops_records_and_failed_tasks_older_than_the_retention_and_keeps_the_rest(settings):
    settings.JOB_RECORD_DAYS = 30
    old = JobRecordFactory(ago=timedelta(days=31))
    old_failed = JobRecordFactory(failed=True, ago=timedelta(days=40))
    lost = JobRecordFactory(running=True, ago=timedelta(days=31))  # its worker died long ago
    recent = JobRecordFactory(ago=timedelta(days=29))
    running = JobRecordFactory(running=True)
    _failed_task("old-failure", stopped=timezone.now() - timedelta(days=31))
    _failed_task("new-failure", stopped=timezone.now() - timedelta(days=1))

    assert tasks.prune_job_records() == "3 job record(s) and 1 failed task(s) pruned"

    kept = set(JobRecord.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, running.pk} and not kept & {old.pk, old_failed.pk, lost.pk}
    assert list(Task.objects.values_list("id", flat=True)) == ["new-failure"]


def test_the_retention_follows_the_setting(settings):
    settings.JOB_RECORD_DAYS = 7
    JobRecordFactory(ago=timedelta(days=8))

    assert jobs.prune_job_records(days=7).job_records == 1


def test_a_record_left_running_past_the_task_time_limit_is_failed_and_a_busy_one_is_not(settings):
    limit = timedelta(seconds=queues.longest_timeout() + jobs.LOST_JOB_SLACK)
    lost = JobRecordFactory(
        status=JobStatus.RUNNING, started_at=timezone.now() - limit - timedelta(seconds=5)
    )
    busy = JobRecordFactory(status=JobStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=30))

    assert tasks.fail_lost_jobs() == "1 lost job record(s) failed"

    lost.refresh_from_db()
    busy.refresh_from_db()
    assert (lost.status, lost.error) == (JobStatus.FAILED, jobs.LOST_JOB_ERROR) and lost.finished_at
    assert busy.status == JobStatus.RUNNING


# --- the registry -----------------------------------------------------------------------------------------
def test_the_job_decorator_registers_a_function_under_its_own_dotted_path_and_returns_it_unchanged():
    def probe(user_id: int) -> str:
        return f"probe {user_id}"

    decorated = jobs.job(label="Probe", user_of=jobs.user_argument())(probe)

    assert decorated is probe
    kind = jobs.job_type(jobs.dotted_path(probe))
    assert jobs.dotted_path(probe) == f"{__name__}.{probe.__qualname__}"
    assert kind.label == "Probe" and kind.user_of((7,), {}) == 7


@pytest.mark.parametrize(
    ("func", "label"),
    [
        ("core.tasks.cluster_heartbeat", "Cluster heartbeat"),
        ("sync.tasks.run_import", "Import"),
        ("routing.tasks.run_route", "Route"),
        ("analysis.tasks.analyse_batch", "Song analysis batch"),
        ("insights.tasks.generate_insight", "Insight"),
        ("llm.tasks.check_llm_providers", "LLM health check"),
        ("devices.tasks.prune_device_sessions", "Prune device sessions"),
    ],
)
def test_every_app_labels_its_own_tasks_once_django_is_set_up(func, label):
    assert jobs.job_type(func).label == label
