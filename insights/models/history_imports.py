"""A listener's upload of Spotify's privacy export, imported into their history as one run."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.queues import BULK, Queue
from core.runs import QueuedRun, RunStatus


class HistoryImport(QueuedRun):
    """One uploaded export, read from `position` on in batches until every play is stored.

    The upload is kept (under settings.HISTORY_IMPORT_DIR, never web-served) only while the run
    may still read it: `upload_path` is emptied when the file is deleted at the run's end.
    Every batch commits its plays together with `position` and the counts, so a run whose
    worker died goes on from the last batch (resume_orphans) and counts nothing twice.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history_imports"
    )
    # Relative to settings.HISTORY_IMPORT_DIR; "" once the file is gone.
    upload_path = models.CharField(max_length=500, blank=True)
    original_name = models.CharField(max_length=255)
    # SpotifyExport.fingerprint(): the same export uploaded again is recognised before reading it.
    fingerprint = models.CharField(max_length=64, db_index=True)
    # Position.as_json() of the last row stored; null before the first batch.
    position = models.JSONField(null=True, blank=True)
    # The whole file was read and found sound (the run's first step; the upload form reads only
    # the first rows of each file, so a big upload answers at once). No play is stored before.
    checked = models.BooleanField(default=False)
    # Rows of every kind, from that check: the progress bar's whole (0 until it is done).
    total_rows = models.PositiveIntegerField(default=0)
    # The read so far (insights.services.spotify_export.ReadTally), saved with `position`.
    rows_read = models.PositiveIntegerField(default=0)
    plays_read = models.PositiveIntegerField(default=0)
    skips = models.PositiveIntegerField(default=0)
    episodes = models.PositiveIntegerField(default=0)
    without_track = models.PositiveIntegerField(default=0)  # local files and the like
    # What the import did with the plays it read.
    plays_added = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)  # stored before: polled, or imported
    unmatched = models.PositiveIntegerField(default=0)  # Account Data plays kept by name only
    # The first and last play's end: the export holds every play between them, so the history's
    # gaps there are closed when the import ends (gaps_closed: how many were deleted or shrunk).
    covered_from = models.DateTimeField(null=True, blank=True)
    covered_to = models.DateTimeField(null=True, blank=True)
    gaps_closed = models.PositiveSmallIntegerField(default=0)
    # Said to the listener beside the status, e.g. that this export was imported before.
    note = models.CharField(max_length=255, blank=True)

    run_task: ClassVar[str] = "insights.tasks.run_history_import"
    queue: ClassVar[Queue] = BULK
    run_label: ClassVar[str] = "history import"
    # Batches are idempotent and the position is saved with them: a dead worker's run goes on.
    resume_orphans: ClassVar[bool] = True
    enqueue_failed_reason: ClassVar[str] = (
        "The import could not be queued (the task broker did not answer); try again."
    )
    lost_after: ClassVar[timedelta] = timedelta(hours=1)  # it may wait behind the bulk queue's work

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
                name="history_import_one_active_per_user",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="history_import_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"History import #{self.pk} of {self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        """How far the read is, 0-100, for the progress bar."""
        if self.status == RunStatus.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.rows_read * 100 // self.total_rows)
