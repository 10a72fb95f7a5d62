"""A listener's request to read their listening from Spotify now: one run (core.runs) at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.queues import BULK, Queue
from core.runs import QueuedRun, RunStatus


class ListeningIngest(QueuedRun):
    """One asked-for ingest of `snapshot_date`'s snapshots ("Read my listening now", the API).

    At most one is queued or running per listener, which the database guarantees: asking again
    meanwhile gets the same run, so a script calling in a loop queues one task, not one each.
    (The nightly round reads in chunks of listeners without rows; both upsert the same
    snapshots, so they never clash.)
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    snapshot_date = models.DateField()
    snapshots = models.PositiveSmallIntegerField(default=0)  # rows stored (three, one per range)

    # The lifecycle: an ingest is an upsert, so one whose worker died is simply run again; a
    # Spotify pause postpones it to the pause's end (lifting the pause brings it forward).
    run_task: ClassVar[str] = "insights.tasks.run_ingest"
    queue: ClassVar[Queue] = BULK
    run_label: ClassVar[str] = "listening ingest"
    resume_orphans: ClassVar[bool] = True
    limited_by: ClassVar[str] = "spotify"
    enqueue_failed_reason: ClassVar[str] = "The ingest could not be queued (the task broker did not answer); try again."
    # On the bulk queue it may wait behind other listeners' analysis turns: an hour, not the
    # default quarter, before an unclaimed one counts as lost.
    lost_after: ClassVar[timedelta] = timedelta(hours=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
                name="listening_ingest_one_active_per_user",
            ),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="listening_ingest_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Listening ingest #{self.pk} of {self.snapshot_date} ({self.status})"
