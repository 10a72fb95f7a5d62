"""The moved models' content types change app label, so admin permissions (and who holds
them) and the admin's log entries follow the models instead of pointing at nothing."""

from django.db import migrations

MODELS = ("songanalysis", "lyrics", "analysisbatch", "analysisbatchtrack", "analysisclaim")


def _relabel(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A row under the new label exists only if post_migrate ran before this migration
        # (its permissions are fresh and held by nobody): the old row, with its history, wins.
        if ContentType.objects.filter(app_label=old, model=model).exists():
            ContentType.objects.filter(app_label=new, model=model).delete()
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, old="insights", new="analysis")


def backwards(apps, schema_editor):
    _relabel(apps, old="analysis", new="insights")


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
