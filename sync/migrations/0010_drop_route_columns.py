"""The columns only route runs used leave SyncEvent (they are routing.RouteRun's now)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0009_sync_events_are_imports_only"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='syncevent',
            name='sync_one_active_route_per_base',
        ),
        migrations.RemoveField(
            model_name='syncevent',
            name='base',
        ),
        migrations.RemoveField(
            model_name='syncevent',
            name='restore_of',
        ),
        migrations.AlterField(
            model_name='syncevent',
            name='kind',
            field=models.CharField(choices=[('import', 'Import')], default='import', max_length=10),
        ),
    ]
