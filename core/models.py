"""Job records: every background task of the product, with its user, as staff need to see it.

In core because every app's tasks are recorded and no app should import another to find them.
The table keeps the name it had in insights (db_table): the model moved, the rows did not.

Django-Q2's own tables tell part of the story: OrmQ holds queued tasks (only with the ORM
broker, and without a user), Task holds finished ones (func, start, stop, success, result)
but no user and nothing while a task waits or runs. A JobRecord is written from Django-Q2's
signals (enqueued, started, finished) for every task, and carries the user the task acts for.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobRecord(models.Model):
    task_id = models.CharField(max_length=64, unique=True)  # Django-Q2's task id
    func = models.CharField(max_length=256)
    label = models.CharField(max_length=100)  # "Import", "Song analysis batch"... for people
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    scheduled = models.BooleanField(default=False)  # started by a schedule, not by a person
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)  # the task's return value, shortened
    error = models.TextField(blank=True)

    class Meta:
        db_table = "insights_jobrecord"
        ordering = ["-enqueued_at", "-id"]
        # Named as Django named them under insights, so moving the model renames nothing.
        indexes = [
            models.Index(fields=["status", "-finished_at"], name="insights_jo_status_d3ee5b_idx"),
            models.Index(fields=["user", "-enqueued_at"], name="insights_jo_user_id_0b39aa_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
