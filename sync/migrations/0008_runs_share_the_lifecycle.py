"""Import and route runs take core.runs' one status vocabulary: in_progress becomes running,
completed succeeded, awaiting_confirmation waiting (and back). The one-active-run constraints
are rebuilt on the new values around the rename, so they hold throughout."""

from django.conf import settings
from django.db import migrations, models


FORWARD = {"in_progress": "running", "completed": "succeeded", "awaiting_confirmation": "waiting"}


def rename_statuses(mapping):
    def run(apps, schema_editor):
        events = apps.get_model("sync", "SyncEvent")
        for old, new in mapping.items():
            events.objects.filter(status=old).update(status=new)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0002_move_content_types_and_task_paths'),
        ('sync', '0007_move_routing_to_routing_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='syncevent',
            name='sync_one_active_import_per_user',
        ),
        migrations.RemoveConstraint(
            model_name='syncevent',
            name='sync_one_active_route_per_base',
        ),
        # Renamed while the column still holds 24 characters, narrowed after: going back, it is
        # widened again before "awaiting_confirmation" (21) returns.
        migrations.RunPython(
            rename_statuses(FORWARD), rename_statuses({new: old for old, new in FORWARD.items()})
        ),
        migrations.AlterField(
            model_name='syncevent',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('waiting', 'Needs your confirmation'), ('succeeded', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='syncevent',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'import'), ('status__in', ['queued', 'running'])), fields=('user',), name='sync_one_active_import_per_user'),
        ),
        migrations.AddConstraint(
            model_name='syncevent',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['route', 'restore']), ('status__in', ['queued', 'running', 'waiting'])), fields=('base',), name='sync_one_active_route_per_base'),
        ),
    ]
