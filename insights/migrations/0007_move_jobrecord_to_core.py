"""Job records are core's now (core 0002): drop JobRecord from insights' state only.

The table insights_jobrecord, its rows and its indexes are left exactly as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_jobrecord"),
        ("insights", "0006_move_analysis_to_analysis_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRecord")], database_operations=[]
        )
    ]
