"""The routing set-up: a BasePlaylist feeds its ChildPlaylists; RoutedPlaylist keeps each Spotify
playlist in one part; ChildBackup is a child's contents before a run wrote to it.

RouteRun is one route or restore run (core.runs' lifecycle). The set-up tables were made by the
sync app and keep their names (db_table); route runs were sync.SyncEvent rows until
routing 0004 moved them, keeping their ids.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.runs import QueuedRun
from library.models import ItemsStatus
from routing.filters import FilterValidationError, validate_filters


def default_filters() -> dict:
    """A child without filters takes every track of its base (see routing.filters.document)."""
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
    # An automatic route whose filters read song analyses waits for the analyses its import
    # queued (routing.services.auto_route): since when; null when it does not wait.
    waits_for_analyses_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Something Linernotes changed in this set-up on its own, for the listener to read.
    notice = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sync_baseplaylist"
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
    ``filters`` is a normalised filter document (routing.filters), validated on every write.
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
        db_table = "sync_childplaylist"
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
        db_table = "sync_routedplaylist"
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


class RouteRunKind(models.TextChoices):
    ROUTE = "route", "Route"
    # Brings a route's children back to their backups from before that route (undo).
    RESTORE = "restore", "Restore"
    # Removes the duplicate rows the listener confirmed from one playlist they own (no base).
    DEDUPE = "dedupe", "Duplicate removal"


class RouteRun(QueuedRun):
    """One route (a base's tracks into its children on Spotify) or restore (its children back to
    their backups from before a route), with core.runs' lifecycle.

    One run queued, running or waiting for the listener's confirmation per base: the database's
    rule, so a second request gets the active one. A run whose worker died is failed, not
    resumed: the listener retries, and the retry reads the base again.
    """

    kind = models.CharField(max_length=10, choices=RouteRunKind.choices, default=RouteRunKind.ROUTE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="route_runs")
    # Deleting the base keeps its runs (and their backups) as a record: the link alone goes.
    base = models.ForeignKey(BasePlaylist, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    # The base's name when the run was made: the audit trail still says which playlist a run
    # wrote once the base is deleted (or renamed).
    base_name = models.CharField(max_length=500, blank=True)
    trigger = models.CharField(max_length=20, blank=True)  # button, api, retry, import
    # The one playlist a duplicate removal (and its undo) writes to; "" for routes, whose
    # playlists are the base's children.
    target_spotify_id = models.CharField(max_length=64, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retried_by")
    # The route a restore undoes: its children go back to that run's backups.
    restore_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="restored_by"
    )
    children_total = models.PositiveIntegerField(default=0)
    children_done = models.PositiveIntegerField(default=0)
    tracks = models.PositiveIntegerField(default=0, help_text="Base tracks the run routed.")
    spotify_requests = models.PositiveIntegerField(default=0)
    rate_limited = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    # Writes per child, what waits for confirmation, durations and cache counters.
    details = models.JSONField(default=dict, blank=True)

    run_label: ClassVar[str] = "route"
    limited_by: ClassVar[str] = "spotify"  # a pause Spotify imposed, lifted early, brings it forward
    tasks_by_kind: ClassVar[dict[str, str]] = {
        RouteRunKind.ROUTE: "routing.tasks.run_route",
        RouteRunKind.RESTORE: "routing.tasks.run_restore",
        RouteRunKind.DEDUPE: "routing.tasks.run_dedupe",
    }
    task_fields: ClassVar[tuple[str, ...]] = ("kind",)
    orphaned_reason: ClassVar[str] = (
        "The worker running this route stopped (restart or crash). Retry to continue; children "
        "already routed keep their tracks."
    )
    stalled_reason: ClassVar[str] = (
        "This route made no progress for {minutes} minutes, so its worker has most likely stopped. {after}"
    )
    enqueue_failed_reason: ClassVar[str] = "The route could not be queued (the task broker did not answer). Try again."

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["base", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"], name="routing_run_status_beat_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["base"],
                condition=Q(status__in=["queued", "running", "waiting"]),
                name="routing_one_active_run_per_base",
            ),
            # A duplicate removal or its undo: one at a time per playlist, as a base has its route.
            models.UniqueConstraint(
                fields=["user", "target_spotify_id"],
                condition=Q(status__in=["queued", "running", "waiting"]) & ~Q(target_spotify_id=""),
                name="routing_one_active_run_per_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def base_label(self) -> str:
        """The base as staff and the listener's run history name it, deleted or not (for a
        duplicate removal or its undo: the playlist it wrote to, which has no base)."""
        if self.target_spotify_id and self.base_id is None:
            return f"{self.base_name} (duplicates)"
        if self.base_id is None:
            return f"{self.base_name} (base deleted)" if self.base_name else "(base deleted)"
        return self.base_name or str(self.base)

    def task_name(self) -> str:
        return self.tasks_by_kind[self.kind]

    def resume_schedule_name(self) -> str:
        return f"routing-{self.kind}-resume-{self.pk}"

    @property
    def progress_percent(self) -> int:
        if not self.children_total:
            return 100 if self.status == "succeeded" else 0
        return min(100, round(100 * self.children_done / self.children_total))


class ChildBackup(models.Model):
    """A child playlist's contents on Spotify just before a run first wrote to it.

    `uris` are its rows in order as Spotify listed them ("" for a row without a URI, local
    files as their spotify:local: URIs). Restoring a run brings each of its children back to
    its backup; the restore stores backups of its own, so it can be undone in turn.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(RouteRun, on_delete=models.CASCADE, related_name="backups")
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
        db_table = "sync_childbackup"
        ordering = ["run_id", "id"]
        indexes = [
            models.Index(fields=["user", "spotify_id", "-created_at"], name="sync_childb_user_id_a99cf9_idx")
        ]
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


class WarmUpStatus(models.TextChoices):
    IDLE = "idle", "Never asked"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    POSTPONED = "postponed", "Postponed by Spotify's rate limit"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class MetadataWarmUp(models.Model):
    """The lookup of a base's artists on Spotify in the cluster, asked for by the live preview
    (which never calls Spotify itself) so the editor's counts fill in.

    One row per base, so one warm-up per base is queued or running at a time: a preview claims
    the row with one conditional UPDATE (routing.services.warm_up). The claim lapses by itself
    at `claimed_until`, so a task the broker lost never blocks the base; `claim` names the task
    that holds it, and a stale task finds another name and does nothing.
    """

    base = models.OneToOneField(
        BasePlaylist, on_delete=models.CASCADE, primary_key=True, related_name="metadata_warm_up"
    )
    status = models.CharField(max_length=10, choices=WarmUpStatus.choices, default=WarmUpStatus.IDLE)
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)  # postponed until Spotify's pause ends
    looked_up = models.PositiveIntegerField(default=0)  # artists Spotify answered for, this warm-up
    unknown = models.PositiveIntegerField(default=0)  # of the base's artists, those Spotify does not know
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Metadata warm-up of base #{self.base_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (WarmUpStatus.QUEUED, WarmUpStatus.RUNNING, WarmUpStatus.POSTPONED)
