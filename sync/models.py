"""SyncEvent, the record of one import or route run; and the routing set-up:
BasePlaylist and its ChildPlaylists."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from library.models import ItemsStatus
from sync.filters import FilterValidationError, validate_filters


class SyncKind(models.TextChoices):
    IMPORT = "import", "Import"
    ROUTE = "route", "Route"


class SyncStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (SyncStatus.QUEUED, SyncStatus.IN_PROGRESS)


class ImportScope(models.TextChoices):
    FULL = "full", "Full"  # every playlist's items are fetched
    INCREMENTAL = "incremental", "Incremental"  # only new playlists and changed snapshot_ids


class SyncEvent(models.Model):
    kind = models.CharField(max_length=10, choices=SyncKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_events")
    status = models.CharField(max_length=12, choices=SyncStatus.choices, default=SyncStatus.QUEUED)
    scope = models.CharField(max_length=12, choices=ImportScope.choices, default=ImportScope.INCREMENTAL)
    trigger = models.CharField(max_length=20, blank=True)  # sign_in, button, api, retry, schedule
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retried_by")
    # The base playlist a route run routes; imports have none. Deleting the base ends its
    # routing set-up, so its route records go with it.
    base = models.ForeignKey(
        "sync.BasePlaylist", null=True, blank=True, on_delete=models.CASCADE, related_name="route_events"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written after every playlist: how the stuck-event clean-up tells a slow run from a dead one.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When a long Retry-After moved the run to later, it is queued again until then.
    resume_at = models.DateTimeField(null=True, blank=True)

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
            # The same for routes, per base: a second route request gets the active one.
            models.UniqueConstraint(
                fields=["base"],
                condition=Q(kind="route", status__in=["queued", "in_progress"]),
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


# --- routing: a base playlist feeds child playlists --------------------------------------------
def default_filters() -> dict:
    """A child without filters takes every track of its base (see sync.filters.document)."""
    return {"match": "all", "conditions": []}


class BasePlaylist(models.Model):
    """One of the user's imported playlists whose tracks are routed into child playlists.

    Any playlist whose items we can read can be a base (Liked Songs included); the link is
    one base per playlist. Deleting the mirrored playlist (it left the user's Spotify
    library) deletes its routing set-up: there is nothing left to route.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="base_playlists"
    )
    playlist = models.OneToOneField("library.Playlist", on_delete=models.CASCADE, related_name="base")
    first_match_only = models.BooleanField(
        default=False, help_text="Each track goes only to the first matching child, in the children's order."
    )
    auto_route_after_import = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "created_at", "id"]

    def __str__(self) -> str:
        return f"Base {self.playlist_id} of user {self.user_id}"

    def clean(self) -> None:
        super().clean()
        if self.playlist_id is None:
            return
        if self.playlist.user_id != self.user_id:
            raise ValidationError({"playlist": "Choose one of your own playlists."})
        if self.playlist.items_status != ItemsStatus.AVAILABLE:
            raise ValidationError({"playlist": "Spotify does not let this app read this playlist's tracks."})


class ChildMode(models.TextChoices):
    # The child holds exactly the base's matching tracks after every route run.
    REBUILD = "rebuild", "Rebuild"
    # Matching tracks are added; nothing is ever removed (the listener may add their own).
    ADD_ONLY = "add_only", "Add only"


class ChildPlaylist(models.Model):
    """A Spotify playlist the user owns that receives the base's tracks matching ``filters``.

    ``spotify_id`` names the Spotify playlist (made through POST /me/playlists or chosen
    among the user's); ``playlist`` links its mirrored row once an import has seen it.
    ``filters`` is a normalised filter document (sync.filters), validated on every write.
    """

    base = models.ForeignKey(BasePlaylist, on_delete=models.CASCADE, related_name="children")
    spotify_id = models.CharField(max_length=64)
    name = models.CharField(max_length=500)
    # Keep the child when its mirrored row goes: the Spotify id is what routing writes to.
    playlist = models.ForeignKey(
        "library.Playlist", null=True, blank=True, on_delete=models.SET_NULL, related_name="child_links"
    )
    mode = models.CharField(max_length=10, choices=ChildMode.choices, default=ChildMode.REBUILD)
    # Order among the base's children; with first_match_only the first matching child wins.
    position = models.PositiveIntegerField()
    filters = models.JSONField(default=default_filters)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By the column, not the relation: "base" would order (and join) by BasePlaylist's ordering.
        ordering = ["base_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["base", "spotify_id"], name="child_playlist_unique_per_base"),
            models.UniqueConstraint(fields=["base", "position"], name="child_playlist_unique_position"),
            models.CheckConstraint(condition=Q(mode__in=ChildMode.values), name="child_playlist_mode_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Filters through the registry in the current app mode; stores the normalised document."""
        super().clean()
        errors: dict[str, list[str]] = {}
        try:
            self.filters = validate_filters(self.filters, mode=settings.SPOTIFY_APP_MODE).to_dict()
        except FilterValidationError as exc:
            errors["filters"] = [f"{path}: {message}" for path, message in exc.messages()]
        linked = self.playlist_id is not None and self.base_id is not None
        if linked and self.playlist.user_id != self.base.user_id:
            errors["playlist"] = ["Choose one of your own playlists."]
        if errors:
            raise ValidationError(errors)
