"""Route and restore runs get their own table, routing.RouteRun, with fields named for routes
(routing 0005 copies the runs into it, 0006 moves the backups' link, sync 0009/0010 drop them
from sync_syncevent). Each step is its own migration: PostgreSQL cannot alter a table in the
transaction that changed its rows. The backups' link is held without a database constraint
in between, so each step's rows exist when the constraint is checked again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0003_bases_wait_for_analyses'),
        ('sync', '0008_runs_share_the_lifecycle'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='childbackup',
            name='run',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='backups', to='sync.syncevent'),
        ),
        migrations.CreateModel(
            name='RouteRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('waiting', 'Needs your confirmation'), ('succeeded', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='queued', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                ('resume_at', models.DateTimeField(blank=True, null=True)),
                ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('claimed_by', models.CharField(blank=True, max_length=200)),
                ('error', models.TextField(blank=True)),
                ('kind', models.CharField(choices=[('route', 'Route'), ('restore', 'Restore')], default='route', max_length=10)),
                ('trigger', models.CharField(blank=True, max_length=20)),
                ('children_total', models.PositiveIntegerField(default=0)),
                ('children_done', models.PositiveIntegerField(default=0)),
                ('tracks', models.PositiveIntegerField(default=0, help_text='Base tracks the run routed.')),
                ('spotify_requests', models.PositiveIntegerField(default=0)),
                ('rate_limited', models.PositiveIntegerField(default=0)),
                ('retries', models.PositiveIntegerField(default=0)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('base', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='runs', to='routing.baseplaylist')),
                ('restore_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='restored_by', to='routing.routerun')),
                ('retry_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='retried_by', to='routing.routerun')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='route_runs', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='routerun',
            index=models.Index(fields=['base', '-created_at'], name='routing_rou_base_id_43e29d_idx'),
        ),
        migrations.AddIndex(
            model_name='routerun',
            index=models.Index(fields=['status', 'heartbeat_at'], name='routing_run_status_beat_idx'),
        ),
        migrations.AddConstraint(
            model_name='routerun',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running', 'waiting'])), fields=('base',), name='routing_one_active_run_per_base'),
        ),
        ]
