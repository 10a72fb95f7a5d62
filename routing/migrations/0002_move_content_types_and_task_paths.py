"""Rows that name the routing models or tasks by their old app follow them to routing.

- django_content_type: the four models' rows take the app label "routing", so admin
  permissions and log entries stay attached to them.
- django_q Schedule.func: resume schedules of postponed routes and restores, and the daily
  backup pruning, name the task paths routing.tasks.* (ensure_schedules renames the latter too).
- The job records' func, so the staff jobs page labels older runs as before. Written in SQL on
  the table itself: the job records' model may live in another app by the time this runs.
Reversible: the backward step writes the old names back.
"""

from django.db import migrations

MODELS = ("baseplaylist", "childplaylist", "routedplaylist", "childbackup")
TASKS = {
    "sync.tasks.run_route": "routing.tasks.run_route",
    "sync.tasks.run_restore": "routing.tasks.run_restore",
    "sync.tasks.prune_child_backups": "routing.tasks.prune_child_backups",
}
JOB_RECORD_TABLE = "insights_jobrecord"


def _rename(apps, schema_editor, *, labels: tuple[str, str], tasks: dict[str, str]) -> None:
    old_label, new_label = labels
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A row under the new label exists only if something created it meanwhile: keep that one.
        if not ContentType.objects.filter(app_label=new_label, model=model).exists():
            ContentType.objects.filter(app_label=old_label, model=model).update(app_label=new_label)
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
    _rename(apps, schema_editor, labels=("sync", "routing"), tasks=TASKS)


def backwards(apps, schema_editor) -> None:
    _rename(apps, schema_editor, labels=("routing", "sync"), tasks={new: old for old, new in TASKS.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0001_initial"),
        ("sync", "0007_move_routing_to_routing_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
