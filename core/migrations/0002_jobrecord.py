"""Job records move from the insights app to core; their table and rows stay where they are.

State only: JobRecord is created here with insights' table name (db_table) and index names,
and insights 0007 drops it from its own state. The database is not touched.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_task_paths_follow_the_move"),
        # The table has its final shape from here on.
        ("insights", "0006_move_analysis_to_analysis_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="JobRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task_id", models.CharField(max_length=64, unique=True)),
                ("func", models.CharField(max_length=256)),
                ("label", models.CharField(max_length=100)),
                ("scheduled", models.BooleanField(default=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=20,
                    ),
                ),
                ("enqueued_at", models.DateTimeField(blank=True, null=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("result", models.TextField(blank=True)),
                ("error", models.TextField(blank=True)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="jobs",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "insights_jobrecord",
                "ordering": ["-enqueued_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "-finished_at"], name="insights_jo_status_d3ee5b_idx"),
                    models.Index(fields=["user", "-enqueued_at"], name="insights_jo_user_id_0b39aa_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["queued", "running", "succeeded", "failed"])),
                        name="job_status_valid",
                    )
                ],
            },
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[])]
