from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sync.display import describe_event
from sync.models import ROUTING_KINDS, ImportScope, SyncEvent, SyncKind
from core.runs import RunStatus
from sync.selectors import pending_removals


class SyncProgressSerializer(serializers.Serializer):
    playlists_done = serializers.IntegerField()
    playlists_total = serializers.IntegerField()
    items_done = serializers.IntegerField()
    percent = serializers.IntegerField(source="progress_percent", help_text="Playlists done, 0-100.")


class SyncCountersSerializer(serializers.Serializer):
    spotify_requests = serializers.IntegerField()
    rate_limited = serializers.IntegerField(help_text="429 answers from Spotify.")
    retries = serializers.IntegerField()


class CacheCountersSerializer(serializers.Serializer):
    hits = serializers.IntegerField()
    misses = serializers.IntegerField()
    mirror = serializers.IntegerField(required=False, help_text="Answered by the mirror, no cache asked.")
    errors = serializers.IntegerField(required=False, help_text="Cache failures (also counted as misses).")
    hit_rate = serializers.FloatField(allow_null=True, help_text="hits / (hits + misses); null when none.")


class ChildWritesSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    write_requests = serializers.IntegerField()
    requests = serializers.IntegerField(
        required=False, help_text="Spotify requests for this child, reads too."
    )


class TrackNameSerializer(serializers.Serializer):
    uri = serializers.CharField()
    name = serializers.CharField(help_text="Empty when the track is not in the catalog.")
    artists = serializers.CharField()


class PendingRemovalSerializer(serializers.Serializer):
    child_id = serializers.IntegerField()
    spotify_id = serializers.CharField()
    name = serializers.CharField()
    tracks_now = serializers.IntegerField(help_text="Tracks the child holds on Spotify now.")
    tracks_after = serializers.IntegerField(help_text="Tracks it would hold after the route.")
    removed_rows = serializers.IntegerField(help_text="Rows the route would remove (copies counted).")
    reason = serializers.CharField(help_text="Why the route asks first.")
    removals = TrackNameSerializer(many=True, help_text="The tracks that would go, each once.")


class ConfirmationSerializer(serializers.Serializer):
    children = PendingRemovalSerializer(many=True)
    asked_at = serializers.DateTimeField()


class RouteDetailsSerializer(serializers.Serializer):
    """A route run's own figures, read from its event's counters and `details`."""

    children_done = serializers.IntegerField(source="playlists_done")
    children_total = serializers.IntegerField(source="playlists_total")
    tracks = serializers.IntegerField(source="items_done", help_text="Base tracks the run routed.")
    cache = CacheCountersSerializer(
        source="details.cache", allow_null=True, default=None, help_text="Artist metadata cache."
    )
    playlist_items_cache = CacheCountersSerializer(
        source="details.playlist_items_cache",
        allow_null=True,
        default=None,
        help_text="Cache of the children's items on Spotify.",
    )
    writes = serializers.DictField(
        child=ChildWritesSerializer(),
        source="details.writes",
        default=dict,
        help_text="Per child, by its Spotify id: what the run wrote.",
    )
    duration_ms = serializers.IntegerField(source="details.duration_ms", allow_null=True, default=None)
    confirmation = serializers.SerializerMethodField(
        help_text=(
            "While the route waits for your confirmation: per child, what it would remove. Confirm with "
            "POST /api/sync-events/{id}/confirm, or discard with POST /api/sync-events/{id}/discard."
        )
    )
    restore_of = serializers.IntegerField(
        source="restore_of_id",
        allow_null=True,
        help_text="For a restore: the run whose backups it brings back.",
    )

    @extend_schema_field(ConfirmationSerializer(allow_null=True))
    def get_confirmation(self, event: SyncEvent) -> dict[str, Any] | None:
        if event.status != RunStatus.WAITING:
            return None
        return ConfirmationSerializer(pending_removals(event)).data


class SyncEventSerializer(serializers.ModelSerializer):
    """One import, route or restore run. Read-only: runs are started by the import, sync and
    restore endpoints."""

    progress = SyncProgressSerializer(source="*", read_only=True)
    counters = SyncCountersSerializer(source="*", read_only=True)
    summary = serializers.SerializerMethodField(help_text="One sentence about the run, as on the dashboard.")
    resume_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Set while a queued run waits out Spotify's rate limit; it resumes then.",
    )
    route = serializers.SerializerMethodField()

    class Meta:
        model = SyncEvent
        fields = [
            "id",
            "kind",
            "status",
            "scope",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "resume_at",
            "progress",
            "counters",
            "error",
            "retry_of",
            "summary",
            "base",
            "route",
        ]
        read_only_fields = fields
        extra_kwargs = {"base": {"help_text": "The base playlist a route routes; null for imports."}}

    def get_summary(self, event: SyncEvent) -> str:
        return describe_event(event)

    @extend_schema_field(RouteDetailsSerializer(allow_null=True, help_text="Null for imports."))
    def get_route(self, event: SyncEvent) -> dict[str, Any] | None:
        if event.kind not in ROUTING_KINDS:
            return None
        return RouteDetailsSerializer(event).data


class SyncEventFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SyncKind.choices, required=False)
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False)


class ImportRequestSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=ImportScope.choices,
        required=False,
        allow_null=True,
        help_text="full: every playlist's items; incremental: new and changed playlists only. "
        "Default: full for a first import, incremental after.",
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    active_event = serializers.IntegerField(
        required=False, help_text="The import or route already queued or running, when that is the conflict."
    )
