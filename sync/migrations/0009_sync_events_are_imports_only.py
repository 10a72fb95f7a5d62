"""SyncEvent records imports only: its route and restore rows were copied to routing.RouteRun
(routing 0005, ids kept), so they go (sync 0010 drops the columns only they used). Going back,
routing 0005 copies them in again once those columns are back."""

from django.db import migrations


def drop_route_events(apps, schema_editor):
    apps.get_model("sync", "SyncEvent").objects.filter(kind__in=["route", "restore"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0008_runs_share_the_lifecycle'),
        ('routing', '0006_backups_belong_to_route_runs'),
    ]

    operations = [migrations.RunPython(drop_route_events, migrations.RunPython.noop)]
