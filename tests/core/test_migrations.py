"""The cluster heartbeat task moved from config.tasks to core.tasks: its stored schedule and the
job records of earlier runs follow it, and going back restores the old path."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

CORE_MOVE = ("core", "0001_task_paths_follow_the_move")
ALSO_READ = [
    ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ("insights", "0006_move_analysis_to_analysis_app"),
]



def test_the_heartbeat_schedule_and_its_job_records_follow_the_task_to_core_and_back():
    old = migrate_to([("core", None)], state_of=ALSO_READ)
    Schedule = old.get_model("django_q", "Schedule")
    JobRecord = old.get_model("insights", "JobRecord")
    Schedule.objects.create(name="cluster heartbeat", func="config.tasks.cluster_heartbeat", schedule_type="I")
    Schedule.objects.create(name="unrelated", func="llm.tasks.check_llm_providers", schedule_type="I")
    JobRecord.objects.create(task_id="t1", func="config.tasks.cluster_heartbeat", label="Cluster heartbeat")

    new = migrate_to([CORE_MOVE], state_of=[CORE_MOVE, *ALSO_READ])
    Schedule = new.get_model("django_q", "Schedule")
    JobRecord = new.get_model("insights", "JobRecord")
    assert Schedule.objects.get(name="cluster heartbeat").func == "core.tasks.cluster_heartbeat"
    assert Schedule.objects.get(name="unrelated").func == "llm.tasks.check_llm_providers"
    assert JobRecord.objects.get(task_id="t1").func == "core.tasks.cluster_heartbeat"

    back = migrate_to([("core", None)], state_of=ALSO_READ)
    assert back.get_model("django_q", "Schedule").objects.get(name="cluster heartbeat").func == (
        "config.tasks.cluster_heartbeat"
    )
    # Leave the database as the rest of the suite expects it.
    migrate_to_latest()
