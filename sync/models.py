"""SyncEvent, the record of one import run.

Route and restore runs are SyncEvents too for now (kinds route and restore, linked to their
`routing.BasePlaylist`), until routing records them in a model of its own."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from core.runs import QueuedRun, RunStatus



class SyncKind(models.TextChoices):
    IMPORT = "import", "Import"
    ROUTE = "route", "Route"
    # Brings a route's children back to their backups from before that route (undo).
    RESTORE = "restore", "Restore"


# Runs that write to a base's children: one of them at a time per base.
ROUTING_KINDS = (SyncKind.ROUTE, SyncKind.RESTORE)


# Run statuses are core.runs.RunStatus. A route that would remove much stops before writing
# anything and waits (RunStatus.WAITING) for the listener's confirmation, holding its base.


class ImportScope(models.TextChoices):
    FULL = "full", "Full"  # every playlist's items are fetched
    INCREMENTAL = "incremental", "Incremental"  # only new playlists and changed snapshot_ids


class SyncEvent(QueuedRun):
    kind = models.CharField(max_length=10, choices=SyncKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_events")
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

    playlists_total = models.PositiveIntegerField(default=0)
    playlists_done = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    # Playlists whose items were fetched and replaced in this run (the rest were unchanged).
    playlists_changed = models.PositiveIntegerField(default=0)

    spotify_requests = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)

    details = models.JSONField(default=dict, blank=True)

    # The lifecycle (core.runs). A run whose worker died is failed with a reason, not resumed:
    # the listener retries (an import keeps its finished playlists; a route re-reads its base).
    run_label: ClassVar[str] = "sync"
    task_fields: ClassVar[tuple[str, ...]] = ("kind",)
    orphaned_reason: ClassVar[str] = (
        # Worded for imports and routes alike: the clean-up fails stuck events of both kinds.
        "The worker running this sync stopped (restart or crash). Retry to continue; finished playlists are kept."
    )
    stalled_reason: ClassVar[str] = (
        "This sync made no progress for {minutes} minutes, so its worker has most likely stopped. "
        "Retry to continue; finished playlists are kept."
    )
    enqueue_failed_reason: ClassVar[str] = "The sync could not be queued (the task broker did not answer); retry."

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            # At most one import queued or running per user: a second trigger gets the
            # existing event. The database enforces it, so racing triggers cannot both win.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(kind="import", status__in=["queued", "running"]),
                name="sync_one_active_import_per_user",
            ),
            # The same for the runs that write to a base's children (routes and restores), per
            # base: a second request gets the active one. A route waiting for the listener's
            # confirmation still holds its base.
            models.UniqueConstraint(
                fields=["base"],
                condition=Q(
                    kind__in=["route", "restore"],
                    status__in=["queued", "running", "waiting"],
                ),
                name="sync_one_active_route_per_base",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    # The task of each kind, filled by sync.services.run_kinds.register_run_kind (the kinds
    # register from their apps' ready()).
    tasks_by_kind: ClassVar[dict[str, str]] = {}

    def task_name(self) -> str:
        return self.tasks_by_kind[self.kind]

    def resume_schedule_name(self) -> str:
        return f"sync-{self.kind}-resume-{self.pk}"

    @property
    def progress_percent(self) -> int:
        if not self.playlists_total:
            return 100 if self.status == RunStatus.SUCCEEDED else 0
        return min(100, round(100 * self.playlists_done / self.playlists_total))
