"""The token refresh task moved from insights.tasks to spotify.tasks: its schedule and the job
records of earlier runs follow it (ensure_schedules would repair the schedule too, but a
cluster started before it runs would call a path that no longer exists). The job records are
written in SQL on their table, which belongs to another app. Reversible."""

from django.db import migrations

TASKS = {"insights.tasks.refresh_expiring_tokens": "spotify.tasks.refresh_expiring_tokens"}
JOB_RECORD_TABLE = "insights_jobrecord"


def _rename(apps, schema_editor, *, tasks: dict[str, str]) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in tasks.items():
        Schedule.objects.filter(func=old).update(func=new)
    connection = schema_editor.connection
    if JOB_RECORD_TABLE in connection.introspection.table_names():
        table = connection.ops.quote_name(JOB_RECORD_TABLE)
        with connection.cursor() as cursor:
            for old, new in tasks.items():
                cursor.execute(f"UPDATE {table} SET func = %s WHERE func = %s", [new, old])


def forwards(apps, schema_editor) -> None:
    _rename(apps, schema_editor, tasks=TASKS)


def backwards(apps, schema_editor) -> None:
    _rename(apps, schema_editor, tasks={new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
