"""Serializers of route runs (routes and restores), a base's route status, and backups."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api_input import QuerySerializer
from core.runs import RunStatus
from spotify.serializers import SpotifyCountersSerializer
from routing.display import describe_run
from routing.models import RouteRun
from routing.selectors import pending_removals


class CacheCountersSerializer(serializers.Serializer):
    hits = serializers.IntegerField()
    misses = serializers.IntegerField()
    mirror = serializers.IntegerField(required=False, help_text="Answered by the mirror, no cache asked.")
    errors = serializers.IntegerField(required=False, help_text="Cache failures (also counted as misses).")
    hit_rate = serializers.FloatField(allow_null=True, help_text="hits / (hits + misses); null when none.")
    unknown_to_spotify = serializers.IntegerField(
        required=False, help_text="Artists Spotify does not know (404): skipped, with no genres."
    )


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


class RouteProgressSerializer(serializers.Serializer):
    children_done = serializers.IntegerField()
    children_total = serializers.IntegerField()
    tracks = serializers.IntegerField(help_text="Base tracks the run routed.")
    percent = serializers.IntegerField(source="progress_percent", help_text="Children done, 0-100.")


class RouteDetailsSerializer(serializers.Serializer):
    """A run's own figures, read from its `details`."""

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
            "POST /api/base-playlists/{id}/runs/{run_id}/confirm, or discard with .../discard."
        )
    )

    @extend_schema_field(ConfirmationSerializer(allow_null=True))
    def get_confirmation(self, run: RouteRun) -> dict[str, Any] | None:
        if run.status != RunStatus.WAITING:
            return None
        return ConfirmationSerializer(pending_removals(run)).data


class RouteRunSerializer(serializers.ModelSerializer):
    """One route or restore run. Read-only: runs are started by the route and restore endpoints."""

    progress = RouteProgressSerializer(source="*", read_only=True)
    counters = SpotifyCountersSerializer(source="*", read_only=True)
    route = RouteDetailsSerializer(source="*", read_only=True)
    summary = serializers.SerializerMethodField(help_text="One sentence about the run, as on the base's page.")
    resume_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Set while a queued run waits out Spotify's rate limit; it resumes then.",
    )

    class Meta:
        model = RouteRun
        fields = [
            "id",
            "kind",
            "status",
            "trigger",
            "created_at",
            "started_at",
            "finished_at",
            "resume_at",
            "progress",
            "counters",
            "error",
            "retry_of",
            "restore_of",
            "summary",
            "base",
            "route",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "base": {"help_text": "The base playlist the run writes to; null once the base was deleted."},
            "restore_of": {"help_text": "For a restore: the run whose backups it brings back."},
        }

    def get_summary(self, run: RouteRun) -> str:
        return describe_run(run)


class RouteEstimateSerializer(serializers.Serializer):
    requests = serializers.IntegerField(help_text="Spotify requests the next route is expected to make.")
    seconds = serializers.FloatField()
    seconds_per_request = serializers.FloatField()
    measured = serializers.BooleanField(
        help_text="True: the rate is measured on your recent runs; false: a default until there are any."
    )


class RouteStatusSerializer(serializers.Serializer):
    active = RouteRunSerializer(allow_null=True, help_text="The route or restore queued, running or waiting now.")
    last = RouteRunSerializer(allow_null=True, help_text="The newest finished route or restore.")
    estimate = RouteEstimateSerializer(help_text="How long the next route should take.")


class BackupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    run = serializers.IntegerField(source="run_id", help_text="The run that wrote to the child after it.")
    spotify_id = serializers.CharField()
    name = serializers.CharField()
    tracks = serializers.IntegerField(source="track_count")
    rows = serializers.SerializerMethodField(help_text="Rows of every kind (tracks, episodes, local files).")
    snapshot_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField(help_text="The whole backup as JSON.")

    def get_rows(self, backup) -> int:
        return len(backup.uris)

    def get_download_url(self, backup) -> str:
        return reverse("api-backup", args=[backup.pk])


class RunFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False, help_text="Only runs in this state.")
