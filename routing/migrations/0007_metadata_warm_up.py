"""One row per base for the artist metadata warm-up the live preview queues (one at a time)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0006_backups_belong_to_route_runs'),
    ]

    operations = [
        migrations.CreateModel(
            name='MetadataWarmUp',
            fields=[
                ('base', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='metadata_warm_up', serialize=False, to='routing.baseplaylist')),
                ('status', models.CharField(choices=[('idle', 'Never asked'), ('queued', 'Queued'), ('running', 'Running'), ('postponed', "Postponed by Spotify's rate limit"), ('done', 'Done'), ('failed', 'Failed')], default='idle', max_length=10)),
                ('claim', models.CharField(blank=True, max_length=32)),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('requested_at', models.DateTimeField(blank=True, null=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('resume_at', models.DateTimeField(blank=True, null=True)),
                ('looked_up', models.PositiveIntegerField(default=0)),
                ('unknown', models.PositiveIntegerField(default=0)),
                ('error', models.TextField(blank=True)),
            ],
        ),
    ]
