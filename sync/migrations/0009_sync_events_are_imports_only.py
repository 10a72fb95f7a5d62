"""SyncEvent records imports only: its route and restore rows were copied to routing.RouteRun
(routing 0004, ids kept), so they go here, with the columns only they used. Going back, routing
0004 copies them in again once these columns are back."""

from django.db import migrations, models


def drop_route_events(apps, schema_editor):
    apps.get_model("sync", "SyncEvent").objects.filter(kind__in=["route", "restore"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0008_runs_share_the_lifecycle'),
        ('routing', '0004_route_runs_have_their_own_table'),
    ]

    operations = [
        migrations.RunPython(drop_route_events, migrations.RunPython.noop),
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
