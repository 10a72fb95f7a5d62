"""Analysis batches take core.runs' lifecycle: one status vocabulary for every run (a finished
batch is "succeeded", as imports, routes and insights are) and the enqueue time of the
"lost" rule. Stored batches keep their meaning: completed becomes succeeded (and back)."""

from django.conf import settings
from django.db import migrations, models


FORWARD = {"completed": "succeeded"}


def rename_statuses(mapping):
    def run(apps, schema_editor):
        batches = apps.get_model("analysis", "AnalysisBatch")
        for old, new in mapping.items():
            batches.objects.filter(status=old).update(status=new)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0003_task_paths_follow_the_move'),
        ('library', '0003_playlist_missing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='analysisbatch',
            name='analysis_batch_status_valid',
        ),
        migrations.AddField(
            model_name='analysisbatch',
            name='enqueued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='analysisbatch',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('waiting', 'Needs your confirmation'), ('succeeded', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=20),
        ),
        migrations.RunPython(
            rename_statuses(FORWARD), rename_statuses({new: old for old, new in FORWARD.items()})
        ),
        migrations.AddConstraint(
            model_name='analysisbatch',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'])), name='analysis_batch_status_valid'),
        ),
    ]
