from __future__ import annotations

from rest_framework import serializers

from core.api_docs import ErrorSerializer
from core.api_input import JsonBody, QuerySerializer
from core.runs import RunStatus
from spotify.serializers import SpotifyCountersSerializer
from sync.display import describe_event
from sync.models import ImportScope, SyncEvent, SyncKind


class SyncProgressSerializer(serializers.Serializer):
    playlists_done = serializers.IntegerField()
    playlists_total = serializers.IntegerField()
    items_done = serializers.IntegerField()
    percent = serializers.IntegerField(source="progress_percent", help_text="Playlists done, 0-100.")


class SyncEventSerializer(serializers.ModelSerializer):
    """One import run. Read-only: imports are started by the import endpoint, a retry, sign-in
    and the schedule. (Route runs are /api/base-playlists/{id}/runs/.)"""

    progress = SyncProgressSerializer(source="*", read_only=True)
    counters = SpotifyCountersSerializer(source="*", read_only=True)
    summary = serializers.SerializerMethodField(help_text="One sentence about the run, as on the dashboard.")
    resume_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Set while a queued run waits out Spotify's rate limit; it resumes then.",
    )

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
        ]
        read_only_fields = fields

    def get_summary(self, event: SyncEvent) -> str:
        return describe_event(event)


class SyncEventFilterSerializer(QuerySerializer):
    kind = serializers.ChoiceField(choices=SyncKind.choices, required=False, help_text="Only these.")
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False, help_text="Only these.")


class ImportRequestSerializer(JsonBody):
    scope = serializers.ChoiceField(
        choices=ImportScope.choices,
        required=False,
        allow_null=True,
        help_text="full: every playlist's items; incremental: new and changed playlists only. "
        "Default: full for a first import, incremental after.",
    )


class ConflictSerializer(ErrorSerializer):
    active_event = serializers.IntegerField(
        required=False, help_text="The import or route already queued or running, when that is the conflict."
    )
