"""The routing set-up is the routing app's now (routing 0001): drop it from sync's state only.

SyncEvent.base points at routing.BasePlaylist; the tables, their rows and the foreign key in
the database are left exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("routing", "0001_initial"),
        ("sync", "0006_routing_safety_constraints"),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="syncevent",
            name="base",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="route_events",
                to="routing.baseplaylist",
            ),
        ),
        # Those that point at the others first, so no state ever holds a dangling reference.
        migrations.DeleteModel(name="RoutedPlaylist"),
        migrations.DeleteModel(name="ChildBackup"),
        migrations.DeleteModel(name="ChildPlaylist"),
        migrations.DeleteModel(name="BasePlaylist"),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])]
