"""Rows that name the device models or their task by the old app follow them to devices.

- django_content_type: the seven models' rows take the app label "devices", so admin
  permissions (and who holds them) and admin log entries stay attached to the models.
- django_q Schedule.func: the "prune device sessions" schedule names devices.tasks.* (ensure_schedules
  would repair it too, but a cluster started before it runs would call a path that is gone).
- The job records' func, so the staff jobs page labels older runs as before. Written in SQL on
  the table itself: the job records' model belongs to another app.
Reversible: the backward step writes the old names back.
"""

from django.db import migrations

MODELS = ("favorite", "historyentry", "queue", "appplaylist", "preferences", "recentsearch", "devicesession")
TASKS = {"library.tasks.prune_device_sessions": "devices.tasks.prune_device_sessions"}
JOB_RECORD_TABLE = "insights_jobrecord"


def _relabel(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A row under the new label exists only if post_migrate ran before this migration (its
        # permissions are fresh and held by nobody): the old row, with its history, wins.
        if ContentType.objects.filter(app_label=old, model=model).exists():
            ContentType.objects.filter(app_label=new, model=model).delete()
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def _rename_tasks(apps, schema_editor, *, tasks: dict[str, str]) -> None:
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
    _relabel(apps, old="library", new="devices")
    _rename_tasks(apps, schema_editor, tasks=TASKS)


def backwards(apps, schema_editor) -> None:
    _relabel(apps, old="devices", new="library")
    _rename_tasks(apps, schema_editor, tasks={new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("devices", "0001_initial"),
        ("library", "0004_move_device_library_to_devices_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        # So deleting a fresh content type takes its (unheld) permissions along.
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
