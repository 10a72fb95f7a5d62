"""Routing that cannot lose music: bases and children claim their Spotify playlist in one
table (a playlist is one base or one child's, never both, never two children), bases outlive
their mirrored playlist, runs outlive their base, backups of children, confirmation and
restore runs, and the enqueue time the lost-task sweep reads.

The claims of existing set-ups are made by the next migration (data), the constraints by the
one after: PostgreSQL refuses to alter a table in the transaction that changed its rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0003_playlist_missing"),
        ("sync", "0003_route_event_base"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # --- runs -------------------------------------------------------------------------------
        migrations.RemoveConstraint(model_name="syncevent", name="sync_one_active_route_per_base"),
        migrations.AlterField(
            model_name="syncevent",
            name="kind",
            field=models.CharField(
                choices=[("import", "Import"), ("route", "Route"), ("restore", "Restore")], max_length=10
            ),
        ),
        migrations.AlterField(
            model_name="syncevent",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("in_progress", "In progress"),
                    ("completed", "Completed"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                    ("awaiting_confirmation", "Needs your confirmation"),
                ],
                default="queued",
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="syncevent",
            name="base",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="route_events",
                to="sync.baseplaylist",
            ),
        ),
        migrations.AddField(
            model_name="syncevent",
            name="restore_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="restored_by",
                to="sync.syncevent",
            ),
        ),
        migrations.AddField(
            model_name="syncevent",
            name="enqueued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="syncevent",
            constraint=models.UniqueConstraint(
                condition=Q(
                    kind__in=["route", "restore"],
                    status__in=["queued", "in_progress", "awaiting_confirmation"],
                ),
                fields=("base",),
                name="sync_one_active_route_per_base",
            ),
        ),
        # --- bases and children -----------------------------------------------------------------
        migrations.AlterField(
            model_name="baseplaylist",
            name="playlist",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="base",
                to="library.playlist",
            ),
        ),
        migrations.AddField(
            model_name="baseplaylist",
            name="spotify_id",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="baseplaylist",
            name="name",
            field=models.CharField(default="", help_text="The playlist's name as last seen.", max_length=500),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="baseplaylist",
            name="notice",
            field=models.TextField(blank=True),
        ),
        migrations.RemoveConstraint(model_name="childplaylist", name="child_playlist_unique_per_base"),
        migrations.AddField(
            model_name="childplaylist",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="RoutedPlaylist",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("spotify_id", models.CharField(max_length=64)),
                (
                    "base",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claim",
                        to="sync.baseplaylist",
                    ),
                ),
                (
                    "child",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claim",
                        to="sync.childplaylist",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="childplaylist",
            name="routed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        # --- backups ----------------------------------------------------------------------------
        migrations.CreateModel(
            name="ChildBackup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("spotify_id", models.CharField(max_length=64)),
                ("name", models.CharField(max_length=500)),
                ("uris", models.JSONField(default=list)),
                ("snapshot_id", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "child",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="backups",
                        to="sync.childplaylist",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="backups", to="sync.syncevent"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["run_id", "id"],
                "indexes": [models.Index(fields=["user", "spotify_id", "-created_at"], name="sync_childb_user_id_a99cf9_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "spotify_id"), name="child_backup_once_per_run")
                ],
            },
        ),
    ]
