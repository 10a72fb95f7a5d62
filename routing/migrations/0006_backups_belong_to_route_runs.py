"""A backup belongs to its RouteRun (the ids were kept by routing 0005)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("routing", "0005_copy_route_runs")]

    operations = [
        migrations.AlterField(
            model_name='childbackup',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='backups', to='routing.routerun'),
        ),
    ]
