"""The analysis tasks moved from insights.tasks to analysis.tasks: stored schedules (the
recurring recovery, a postponed batch's resume) and job records name the new paths.

A task already in the broker under the old path fails to import; its batch stays queued and
the recovery schedule queues it again within the hour (analysis.services.recovery)."""

from django.db import migrations

TASKS = ("analyse_batch", "recover_analysis_batches")
OLD_RESUME, NEW_RESUME = "insights-batch-resume-", "analysis-batch-resume-"


def _job_record(apps):
    """JobRecord's state may live in insights or, once it moved, in core: the table is one."""
    for app_label in ("core", "insights"):
        try:
            return apps.get_model(app_label, "JobRecord")
        except LookupError:
            continue
    return None


def _rewrite(apps, *, old: str, new: str, old_resume: str, new_resume: str) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    JobRecord = _job_record(apps)
    for task in TASKS:
        Schedule.objects.filter(func=f"{old}.{task}").update(func=f"{new}.{task}")
        if JobRecord is not None:
            JobRecord.objects.filter(func=f"{old}.{task}").update(func=f"{new}.{task}")
    for schedule in Schedule.objects.filter(name__startswith=old_resume).only("pk", "name"):
        schedule.name = new_resume + schedule.name.removeprefix(old_resume)
        schedule.save(update_fields=["name"])


def forwards(apps, schema_editor):
    _rewrite(apps, old="insights.tasks", new="analysis.tasks", old_resume=OLD_RESUME, new_resume=NEW_RESUME)


def backwards(apps, schema_editor):
    _rewrite(apps, old="analysis.tasks", new="insights.tasks", old_resume=NEW_RESUME, new_resume=OLD_RESUME)


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0002_content_types_follow_the_move"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
