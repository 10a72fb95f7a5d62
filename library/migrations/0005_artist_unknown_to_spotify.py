from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0004_move_device_library_to_devices_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="artist",
            name="unknown_to_spotify",
            field=models.BooleanField(default=False),
        ),
    ]
