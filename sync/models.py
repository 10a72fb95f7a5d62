"""SyncEvent, the record of one import or route run; and the routing set-up:
BasePlaylist and its ChildPlaylists."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from library.models import ItemsStatus
from sync.filters import FilterValidationError, validate_filters


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
        "sync.BasePlaylist", null=True, blank=True, on_delete=models.SET_NULL, related_name="route_events"
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


# --- routing: a base playlist feeds child playlists --------------------------------------------
def default_filters() -> dict:
    """A child without filters takes every track of its base (see sync.filters.document)."""
    return {"match": "all", "conditions": []}


class BasePlaylist(models.Model):
    """One of the user's Spotify playlists whose tracks are routed into child playlists.

    Any playlist whose items we can read can become a base (Liked Songs included). The base
    names its playlist by Spotify id and keeps the name it last had: when the playlist leaves
    the mirror (gone from the listener's Spotify library in two complete imports) the link
    is cleared, never the set-up. Such a base is disabled, keeps its children, filters and
    runs, and links up again if the playlist comes back.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="base_playlists"
    )
    playlist = models.OneToOneField(
        "library.Playlist", null=True, blank=True, on_delete=models.SET_NULL, related_name="base"
    )
    spotify_id = models.CharField(max_length=64)
    name = models.CharField(max_length=500, help_text="The playlist's name as last seen.")
    first_match_only = models.BooleanField(
        default=False, help_text="Each track goes only to the first matching child, in the children's order."
    )
    auto_route_after_import = models.BooleanField(default=False)
    # Something Linernotes changed in this set-up on its own, for the listener to read.
    notice = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "spotify_id"], name="base_playlist_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"Base {self.spotify_id} of user {self.user_id}"

    @property
    def is_disabled(self) -> bool:
        """Its playlist is no longer in the listener's library: nothing to route from."""
        return self.playlist_id is None

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
    # The base's user, here too so the database can say "one base per child playlist".
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
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
    # When a route last finished this child. Until its first route, what the playlist holds is
    # only known from an import that may be old, so that route asks before removing anything.
    routed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # By the column, not the relation: "base" would order (and join) by BasePlaylist's ordering.
        ordering = ["base_id", "position"]
        constraints = [
            # A playlist feeds from one base at most: two bases rebuilding it would undo each other.
            models.UniqueConstraint(fields=["user", "spotify_id"], name="child_playlist_one_base"),
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


class RoutedPlaylist(models.Model):
    """The one part a Spotify playlist plays in a listener's routing: a base or a child.

    One row per base and per child, made in the same transaction, unique per (user, Spotify
    playlist): so the database itself refuses a playlist that would be the child of two
    bases, or a child and a base at once (two bases feeding each other, each rebuild undoing
    the other). It goes with its base or child (cascade), so it never outlives them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    spotify_id = models.CharField(max_length=64)
    base = models.OneToOneField(
        BasePlaylist, null=True, blank=True, on_delete=models.CASCADE, related_name="claim"
    )
    child = models.OneToOneField(
        ChildPlaylist, null=True, blank=True, on_delete=models.CASCADE, related_name="claim"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "spotify_id"], name="routed_playlist_one_part"),
            models.CheckConstraint(
                condition=(
                    Q(base__isnull=False, child__isnull=True) | Q(base__isnull=True, child__isnull=False)
                ),
                name="routed_playlist_base_or_child",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spotify_id} ({'base' if self.base_id else 'child'})"


class ChildBackup(models.Model):
    """A child playlist's contents on Spotify just before a run first wrote to it.

    `uris` are its rows in order as Spotify listed them ("" for a row without a URI, local
    files as their spotify:local: URIs). Restoring a run brings each of its children back to
    its backup; the restore stores backups of its own, so it can be undone in turn.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(SyncEvent, on_delete=models.CASCADE, related_name="backups")
    # The child link goes if the child is detached; the Spotify id and name stay.
    child = models.ForeignKey(
        ChildPlaylist, null=True, blank=True, on_delete=models.SET_NULL, related_name="backups"
    )
    spotify_id = models.CharField(max_length=64)
    name = models.CharField(max_length=500)
    uris = models.JSONField(default=list)
    snapshot_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run_id", "id"]
        indexes = [models.Index(fields=["user", "spotify_id", "-created_at"])]
        constraints = [
            # The first write of a run is what "before this run" means: a resumed run keeps it.
            models.UniqueConstraint(fields=["run", "spotify_id"], name="child_backup_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"Backup of {self.name} before run #{self.run_id}"

    @property
    def track_count(self) -> int:
        """Tracks only (episodes and local files are rows too: see `uris`)."""
        return sum(1 for uri in self.uris if uri.startswith("spotify:track:"))
