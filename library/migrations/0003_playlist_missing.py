from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0002_device_library"),
    ]

    operations = [
        migrations.AddField(
            model_name="playlist",
            name="missing_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="playlist",
            name="missing_imports",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
