"""Looking up the tracks a history import was the first to meet, after the import, on the bulk cluster."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.queues import BULK, Queue
from core.runs import QueuedRun, RunStatus


class TrackLookup(QueuedRun):
    """One listener's name-only tracks (stored by an import with the export's name, no album, no
    artists) asked of Spotify one by one, in id order from `cursor`, until none is left.

    The import never waits for it: its plays are in the history at once, and their tracks gain
    album, artists and duration as the lookup goes. One is queued or running per listener; an
    import that ends while one is active marks it `again`: it reads the new tracks after its cursor
    in id order, and queues a lookup for those behind the cursor when it succeeds.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="track_lookups")
    # The last track id asked (answered or unknown to Spotify): the lookup goes on after it.
    cursor = models.CharField(max_length=64, blank=True)
    # How many tracks lacked details when the lookup was queued: the progress bar's whole.
    total = models.PositiveIntegerField(default=0)
    looked_up = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)  # Spotify answered 404: kept with the name only
    turns = models.PositiveIntegerField(default=0)
    # Another import ended while this ran: its tracks behind the cursor need a lookup of their own,
    # queued when this one succeeds.
    again = models.BooleanField(default=False)
    # Spotify failing (5xx, timeouts) on consecutive turns: postponed a while each time, failed
    # after MAX_OUTAGES (an answer resets it).
    outages = models.PositiveSmallIntegerField(default=0)

    run_task: ClassVar[str] = "insights.tasks.run_track_lookup"
    queue: ClassVar[Queue] = BULK
    run_label: ClassVar[str] = "track lookup"
    # Each answer is kept as it arrives and the cursor with it: a dead worker's run goes on.
    resume_orphans: ClassVar[bool] = True
    # Spotify's app-wide pause postpones it; staff lifting the pause bring it forward.
    limited_by: ClassVar[str] = "spotify"
    enqueue_failed_reason: ClassVar[str] = "The lookup could not be queued (the task broker did not answer)."
    lost_after: ClassVar[timedelta] = timedelta(hours=1)  # it may wait behind the bulk queue's work
    turn_field: ClassVar[str] = "turns"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
                name="track_lookup_one_active_per_user",
            ),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="track_lookup_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Track lookup #{self.pk} ({self.status}, {self.looked_up}/{self.total})"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(99, (self.looked_up + self.unknown) * 100 // self.total)
