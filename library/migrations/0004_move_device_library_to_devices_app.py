"""The device library is the devices app's now (devices 0001): drop it from library's state only.

No model left in library points at these seven, and they point only at the user: the tables,
their rows, constraints and indexes are left exactly as they are.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("devices", "0001_initial"),
        ("library", "0003_playlist_missing"),
    ]

    state_operations = [
        migrations.DeleteModel(name="Favorite"),
        migrations.DeleteModel(name="HistoryEntry"),
        migrations.DeleteModel(name="Queue"),
        migrations.DeleteModel(name="AppPlaylist"),
        migrations.DeleteModel(name="Preferences"),
        migrations.DeleteModel(name="RecentSearch"),
        migrations.DeleteModel(name="DeviceSession"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])
    ]
