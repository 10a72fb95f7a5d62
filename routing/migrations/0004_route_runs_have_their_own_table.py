"""Route and restore runs get their own table, routing.RouteRun, with fields named for routes.

Every SyncEvent of kind route or restore is copied with its id (so backups, schedules, links and
URLs naming a run keep pointing at it), its counters renamed (playlists_total/done -> children_
total/done, items_done -> tracks); the backups' link moves to the new table; sync 0009 then
drops the copies from sync_syncevent. Resume schedules of postponed runs take the new name.

Reversible: going back copies the runs into sync_syncevent again (after sync 0009 gave it back
its columns) before the backups' link returns there. The link is held without a database
constraint in between, so each step's rows exist when the constraint is checked.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


COPIED = (
    "id", "status", "created_at", "started_at", "finished_at", "heartbeat_at", "resume_at", "enqueued_at",
    "task_id", "claimed_by", "error", "kind", "user_id", "base_id", "trigger", "spotify_requests",
    "rate_limited", "retries", "details",
)  # fmt: skip
RENAMED = {"playlists_total": "children_total", "playlists_done": "children_done", "items_done": "tracks"}


def _reset_sequence(model, schema_editor):
    # Rows inserted with their ids: PostgreSQL's sequence must move past them (SQLite needs nothing).
    from django.core.management.color import no_style

    with schema_editor.connection.cursor() as cursor:
        for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _rename_schedules(apps, *, old: str, new: str) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for schedule in Schedule.objects.filter(name__regex=rf"^{old}-(route|restore)-resume-[0-9]+$"):
        schedule.name = schedule.name.replace(f"{old}-", f"{new}-", 1)
        schedule.save(update_fields=["name"])


def copy_to_route_runs(apps, schema_editor):
    SyncEvent = apps.get_model("sync", "SyncEvent")
    RouteRun = apps.get_model("routing", "RouteRun")
    events = SyncEvent.objects.filter(kind__in=["route", "restore"]).order_by("id")
    fields = (*COPIED, *RENAMED, "retry_of_id", "restore_of_id")
    links = []
    for row in events.values(*fields).iterator(chunk_size=500):
        copy = {name: row[name] for name in COPIED}
        copy.update({new: row[old] for old, new in RENAMED.items()})
        RouteRun.objects.create(**copy)
        links.append((row["id"], row["created_at"], row["retry_of_id"], row["restore_of_id"]))
    # The links between runs once every run exists; and created_at, which auto_now_add set anew.
    for run_id, created_at, retry_of, restore_of in links:
        RouteRun.objects.filter(pk=run_id).update(
            created_at=created_at, retry_of_id=retry_of, restore_of_id=restore_of
        )
    _reset_sequence(RouteRun, schema_editor)
    _rename_schedules(apps, old="sync", new="routing")


def copy_back_to_sync_events(apps, schema_editor):
    SyncEvent = apps.get_model("sync", "SyncEvent")
    RouteRun = apps.get_model("routing", "RouteRun")
    links = []
    for row in RouteRun.objects.order_by("id").values(*COPIED, *RENAMED.values(), "retry_of_id", "restore_of_id"):
        copy = {name: row[name] for name in COPIED}
        copy.update({old: row[new] for old, new in RENAMED.items()})
        SyncEvent.objects.create(**copy)
        links.append((row["id"], row["created_at"], row["retry_of_id"], row["restore_of_id"]))
    for run_id, created_at, retry_of, restore_of in links:
        SyncEvent.objects.filter(pk=run_id).update(
            created_at=created_at, retry_of_id=retry_of, restore_of_id=restore_of
        )
    _reset_sequence(SyncEvent, schema_editor)
    _rename_schedules(apps, old="routing", new="sync")


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0003_bases_wait_for_analyses'),
        ('sync', '0008_runs_share_the_lifecycle'),
        ('django_q', '0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more'),
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
        migrations.RunPython(copy_to_route_runs, copy_back_to_sync_events),
        migrations.AlterField(
            model_name='childbackup',
            name='run',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='backups', to='routing.routerun'),
        ),
    ]
