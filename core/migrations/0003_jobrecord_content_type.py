"""JobRecord's content type changes app label from insights to core, so admin permissions (and
who holds them) and the admin's log entries follow the model instead of pointing at nothing.
Reversible: the backward step gives the row back to insights."""

from django.db import migrations

MODEL = "jobrecord"


def _relabel(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    # A row under the new label exists only if post_migrate ran before this migration (its
    # permissions are fresh and held by nobody): the old row, with its history, wins.
    if ContentType.objects.filter(app_label=old, model=MODEL).exists():
        ContentType.objects.filter(app_label=new, model=MODEL).delete()
        ContentType.objects.filter(app_label=old, model=MODEL).update(app_label=new)


def forwards(apps, schema_editor) -> None:
    _relabel(apps, old="insights", new="core")


def backwards(apps, schema_editor) -> None:
    _relabel(apps, old="core", new="insights")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_jobrecord"),
        ("insights", "0007_move_jobrecord_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
