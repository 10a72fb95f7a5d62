"""Moving JobRecord from insights to core keeps its table and rows, and takes its content type
along (so permissions follow); going back gives the content type back to insights."""

from __future__ import annotations

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

INSIGHTS_BEFORE = ("insights", "0006_move_analysis_to_analysis_app")
CORE_BEFORE = ("core", "0001_task_paths_follow_the_move")
CORE_AFTER = ("core", "0003_jobrecord_content_type")
ALSO_READ = [
    ("auth", "0012_alter_user_first_name_max_length"),
    ("contenttypes", "0002_remove_content_type_name"),
]


def test_job_records_survive_the_move_to_core_and_their_content_type_follows_them_and_back():
    old = migrate_to([CORE_BEFORE, INSIGHTS_BEFORE], state_of=[CORE_BEFORE, INSIGHTS_BEFORE, *ALSO_READ])
    User = old.get_model("accounts", "User")
    JobRecord = old.get_model("insights", "JobRecord")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    owner = User.objects.create(username="before")
    JobRecord.objects.create(
        task_id="t1", func="sync.tasks.run_import", label="Import", user=owner, status="succeeded", result="ok"
    )
    JobRecord.objects.create(task_id="t2", func="core.tasks.cluster_heartbeat", label="Cluster heartbeat")
    # Content types as a database that ran with the old layout has them, with a permission
    # someone may hold; a fresh core row, as post_migrate may have made already, must not win.
    ContentType.objects.filter(model="jobrecord").delete()
    old_type = ContentType.objects.create(app_label="insights", model="jobrecord")
    ContentType.objects.create(app_label="core", model="jobrecord")
    permission = Permission.objects.create(content_type=old_type, codename="view_jobrecord", name="Can view")

    new = migrate_to([CORE_AFTER], state_of=[CORE_AFTER, *ALSO_READ])
    Moved = new.get_model("core", "JobRecord")
    assert dict(Moved.objects.values_list("task_id", "func")) == {
        "t1": "sync.tasks.run_import",
        "t2": "core.tasks.cluster_heartbeat",
    }
    assert (Moved.objects.get(task_id="t1").user_id, Moved.objects.get(task_id="t1").result) == (owner.pk, "ok")
    ContentType = new.get_model("contenttypes", "ContentType")
    moved_type = new.get_model("auth", "Permission").objects.get(pk=permission.pk).content_type
    assert (moved_type.pk, moved_type.app_label) == (old_type.pk, "core")
    assert not ContentType.objects.filter(app_label="insights", model="jobrecord").exists()

    back = migrate_to([CORE_BEFORE, INSIGHTS_BEFORE], state_of=[CORE_BEFORE, INSIGHTS_BEFORE, *ALSO_READ])
    assert back.get_model("insights", "JobRecord").objects.count() == 2
    returned = back.get_model("contenttypes", "ContentType").objects.get(pk=old_type.pk)
    assert returned.app_label == "insights"

    migrate_to_latest()

    from core.models import JobRecord as CurrentJobRecord

    assert CurrentJobRecord.objects.get(task_id="t1").user_id == owner.pk


def test_the_upkeep_tasks_schedules_and_job_records_follow_them_to_core_and_back():
    before = ("core", "0003_jobrecord_content_type")
    after = ("core", "0004_job_record_tasks_follow_the_move")
    also = [("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    old = migrate_to([before], state_of=[before, *also])
    Schedule = old.get_model("django_q", "Schedule")
    JobRecord = old.get_model("core", "JobRecord")
    Schedule.objects.create(name="fail lost job records", func="insights.tasks.fail_lost_jobs", schedule_type="I")
    Schedule.objects.create(name="weekly summaries", func="insights.tasks.generate_weekly_summaries")
    JobRecord.objects.create(task_id="t1", func="insights.tasks.prune_job_records", label="Job record clean-up")

    new = migrate_to([after], state_of=[after, *also])
    funcs = dict(new.get_model("django_q", "Schedule").objects.values_list("name", "func"))
    assert funcs == {
        "fail lost job records": "core.tasks.fail_lost_jobs",
        "weekly summaries": "insights.tasks.generate_weekly_summaries",
    }
    assert new.get_model("core", "JobRecord").objects.get(task_id="t1").func == "core.tasks.prune_job_records"

    back = migrate_to([before], state_of=[before, *also])
    assert back.get_model("core", "JobRecord").objects.get(task_id="t1").func == "insights.tasks.prune_job_records"
    migrate_to_latest()
