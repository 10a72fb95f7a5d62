"""SyncEvent, the record of one import run (core.runs' lifecycle). Route and restore runs are
routing.RouteRun."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.runs import QueuedRun, RunStatus


class SyncKind(models.TextChoices):
    # The one kind left: the API and the pages keep saying what a run is.
    IMPORT = "import", "Import"


class ImportScope(models.TextChoices):
    FULL = "full", "Full"  # every playlist's items are fetched
    INCREMENTAL = "incremental", "Incremental"  # only new playlists and changed snapshot_ids


class SyncEvent(QueuedRun):
    kind = models.CharField(max_length=10, choices=SyncKind.choices, default=SyncKind.IMPORT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_events")
    scope = models.CharField(max_length=12, choices=ImportScope.choices, default=ImportScope.INCREMENTAL)
    trigger = models.CharField(max_length=20, blank=True)  # sign_in, button, api, retry, schedule
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retried_by")

    playlists_total = models.PositiveIntegerField(default=0)
    playlists_done = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    # Playlists whose items were fetched and replaced in this run (the rest were unchanged).
    playlists_changed = models.PositiveIntegerField(default=0)

    spotify_requests = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)

    details = models.JSONField(default=dict, blank=True)
    # Claims so far: an import that gives its turn is claimed once a turn, and its task carries
    # this count, so a stale copy of an older turn's task (sent again as lost) claims nothing.
    claims = models.PositiveIntegerField(default=0)

    # The lifecycle (core.runs). An import whose worker died is failed with a reason, not
    # resumed: the listener retries, and the retry keeps the finished playlists.
    run_task: ClassVar[str] = "sync.tasks.run_import"
    run_label: ClassVar[str] = "import"
    limited_by: ClassVar[str] = "spotify"  # a pause Spotify imposed, lifted early, brings it forward
    # One transaction per playlist, and a turn starts from the playlists committed (as after
    # Claim.yield_turn): a playlist rolled back in a deadlock is read again in a new turn.
    retries_conflicts: ClassVar[bool] = True
    orphaned_reason: ClassVar[str] = (
        "The worker running this sync stopped (restart or crash). Retry to continue; finished playlists are kept."
    )
    stalled_reason: ClassVar[str] = (
        "This sync made no progress for {minutes} minutes, so its worker has most likely stopped. "
        "Retry to continue; finished playlists are kept."
    )
    enqueue_failed_reason: ClassVar[str] = "The sync could not be queued (the task broker did not answer); retry."
    turn_field: ClassVar[str] = "claims"

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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    def resume_schedule_name(self) -> str:
        return f"sync-{self.kind}-resume-{self.pk}"

    @property
    def progress_percent(self) -> int:
        if not self.playlists_total:
            return 100 if self.status == RunStatus.SUCCEEDED else 0
        return min(100, round(100 * self.playlists_done / self.playlists_total))
