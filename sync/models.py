"""SyncEvent, the record of one import run.

Route and restore runs are SyncEvents too for now (kinds route and restore, linked to their
`routing.BasePlaylist`), until routing records them in a model of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q



class SyncKind(models.TextChoices):
    IMPORT = "import", "Import"
    ROUTE = "route", "Route"
    # Brings a route's children back to their backups from before that route (undo).
    RESTORE = "restore", "Restore"


# Runs that write to a base's children: one of them at a time per base.
ROUTING_KINDS = (SyncKind.ROUTE, SyncKind.RESTORE)


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    # A route that would remove much stopped before writing anything; the listener confirms
    # (it is queued again) or discards it (cancelled). It still holds its base meanwhile.
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Needs your confirmation"


# Not finished: a worker will run it, is running it, or it waits for the listener.
ACTIVE_STATUSES = (SyncStatus.QUEUED, SyncStatus.IN_PROGRESS, SyncStatus.AWAITING_CONFIRMATION)


class ImportScope(models.TextChoices):
    FULL = "full", "Full"  # every playlist's items are fetched
    INCREMENTAL = "incremental", "Incremental"  # only new playlists and changed snapshot_ids


class SyncEvent(models.Model):
    kind = models.CharField(max_length=10, choices=SyncKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_events")
    status = models.CharField(max_length=24, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    scope = models.CharField(max_length=12, choices=ImportScope.choices, default=ImportScope.INCREMENTAL)
    trigger = models.CharField(max_length=20, blank=True)  # sign_in, button, api, retry, schedule
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retried_by")
    # The route (or restore) a restore run undoes: its children go back to that run's backups.
    restore_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restored_by"
    )
    # The base playlist a route or restore writes to; imports have none. Deleting the base
    # keeps its runs (and their backups) as a record: the link alone goes.
    base = models.ForeignKey(
        "routing.BasePlaylist", null=True, blank=True, on_delete=models.SET_NULL, related_name="route_events"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written after every playlist: how the stuck-event clean-up tells a slow run from a dead one.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When a long Retry-After moved the run to later, it is queued again until then.
    resume_at = models.DateTimeField(null=True, blank=True)
    # When its task was last handed to the broker: a queued run whose task is long overdue
    # was lost (a broker restart) and is enqueued again by the sweep.
    enqueued_at = models.DateTimeField(null=True, blank=True)

    playlists_total = models.PositiveIntegerField(default=0)
    playlists_done = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    # Playlists whose items were fetched and replaced in this run (the rest were unchanged).
    playlists_changed = models.PositiveIntegerField(default=0)

    spotify_requests = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)

    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # "host:pid" of the worker running it, so a restarted cluster can tell its dead runs.
    claimed_by = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            # At most one import queued or running per user: a second trigger gets the
            # existing event. The database enforces it, so racing triggers cannot both win.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="import", status__in=["queued", "in_progress"]),
                name="sync_one_active_import_per_user",
            ),
            # The same for the runs that write to a base's children (routes and restores), per
            # base: a second request gets the active one. A route waiting for the listener's
            # confirmation still holds its base.
            models.UniqueConstraint(
                fields=["base"],
                condition=Q(
                    kind__in=["route", "restore"],
                    status__in=["queued", "in_progress", "awaiting_confirmation"],
                ),
                name="sync_one_active_route_per_base",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.playlists_total:
            return 100 if self.status == SyncStatus.COMPLETED else 0
        return min(100, round(100 * self.playlists_done / self.playlists_total))
