"""The job records' upkeep tasks moved from insights.tasks to core.tasks, next to the records:
their stored schedules and the records of earlier runs follow them (ensure_schedules would
repair the schedules too, but a cluster started before it runs would call paths that no longer
exist). Reversible."""

from django.db import migrations

TASKS = {
    "insights.tasks.fail_lost_jobs": "core.tasks.fail_lost_jobs",
    "insights.tasks.prune_job_records": "core.tasks.prune_job_records",
}


def _rename(apps, *, tasks: dict[str, str]) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    JobRecord = apps.get_model("core", "JobRecord")
    for old, new in tasks.items():
        Schedule.objects.filter(func=old).update(func=new)
        JobRecord.objects.filter(func=old).update(func=new)


def forwards(apps, schema_editor) -> None:
    _rename(apps, tasks=TASKS)


def backwards(apps, schema_editor) -> None:
    _rename(apps, tasks={new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_jobrecord_content_type"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
