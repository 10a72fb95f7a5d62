"""The routing set-up moves from the sync app to this one; its tables and rows stay where they are.

State only: the four models are created here with the sync app's table names (db_table), and
sync's 0007 drops them from its own state. The database is not touched.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import routing.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("library", "0003_playlist_missing"),
        ("sync", "0006_routing_safety_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="BasePlaylist",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("spotify_id", models.CharField(max_length=64)),
                ("name", models.CharField(help_text="The playlist's name as last seen.", max_length=500)),
                (
                    "first_match_only",
                    models.BooleanField(
                        default=False,
                        help_text="Each track goes only to the first matching child, in the children's order.",
                    ),
                ),
                ("auto_route_after_import", models.BooleanField(default=False)),
                ("notice", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "playlist",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="base",
                        to="library.playlist",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="base_playlists",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "sync_baseplaylist",
                "ordering": ["user", "created_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "spotify_id"), name="base_playlist_unique_per_user")
                ],
            },
        ),
        migrations.CreateModel(
            name="ChildPlaylist",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("spotify_id", models.CharField(max_length=64)),
                ("name", models.CharField(max_length=500)),
                (
                    "mode",
                    models.CharField(
                        choices=[("rebuild", "Rebuild"), ("add_only", "Add only")], default="rebuild", max_length=10
                    ),
                ),
                ("position", models.PositiveIntegerField()),
                ("filters", models.JSONField(default=routing.models.default_filters)),
                ("routed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "base",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="children",
                        to="routing.baseplaylist",
                    ),
                ),
                (
                    "playlist",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="child_links",
                        to="library.playlist",
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
                "db_table": "sync_childplaylist",
                "ordering": ["base_id", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "spotify_id"), name="child_playlist_one_base"),
                    models.UniqueConstraint(fields=("base", "position"), name="child_playlist_unique_position"),
                    models.CheckConstraint(
                        condition=models.Q(("mode__in", ["rebuild", "add_only"])), name="child_playlist_mode_valid"
                    ),
                ],
            },
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
                        to="routing.baseplaylist",
                    ),
                ),
                (
                    "child",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claim",
                        to="routing.childplaylist",
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
                "db_table": "sync_routedplaylist",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "spotify_id"), name="routed_playlist_one_part"),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("base__isnull", False), ("child__isnull", True)),
                            models.Q(("base__isnull", True), ("child__isnull", False)),
                            _connector="OR",
                        ),
                        name="routed_playlist_base_or_child",
                    ),
                ],
            },
        ),
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
                (
                    "child",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="backups",
                        to="routing.childplaylist",
                    ),
                ),
            ],
            options={
                "db_table": "sync_childbackup",
                "ordering": ["run_id", "id"],
                "indexes": [
                    models.Index(fields=["user", "spotify_id", "-created_at"], name="sync_childb_user_id_a99cf9_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "spotify_id"), name="child_backup_once_per_run")
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])]
