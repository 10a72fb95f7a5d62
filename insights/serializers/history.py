"""What the history API says: plays, the gaps where plays may be missing, and how polling stands."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from insights.models import HistoryGap, HistoryState, Play
from library.serializers import TrackSerializer


class PlayContextSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='Where it was played from: "playlist", "album", "artist"...')
    uri = serializers.CharField(help_text="Spotify URI of that playlist, album or artist.")


class PlaySerializer(serializers.ModelSerializer):
    track = TrackSerializer()
    context = serializers.SerializerMethodField(help_text="Null when played outside any context.")

    class Meta:
        model = Play
        fields = ["played_at", "track", "context"]
        read_only_fields = fields

    @extend_schema_field(PlayContextSerializer(allow_null=True))
    def get_context(self, play: Play) -> dict | None:
        if not play.context_type and not play.context_uri:
            return None
        return {"type": play.context_type, "uri": play.context_uri}


class HistoryGapSerializer(serializers.ModelSerializer):
    # A plain string, not an enum: scripts match on the documented values.
    reason = serializers.CharField(
        help_text='"overflow": more than 50 plays may have happened between two polls; '
        '"disconnected": the Spotify connection was lost.'
    )
    description = serializers.CharField(source="get_reason_display", help_text="The reason, in words.")
    ends_at = serializers.DateTimeField(
        allow_null=True, help_text="Null while the gap is still open (the account is disconnected now)."
    )

    class Meta:
        model = HistoryGap
        fields = ["reason", "description", "starts_at", "ends_at"]
        read_only_fields = fields


class HistoryStatusSerializer(serializers.ModelSerializer):
    since = serializers.DateTimeField(
        source="first_polled_at", allow_null=True, help_text="The first poll: history starts here."
    )
    last_polled_at = serializers.DateTimeField(allow_null=True, help_text="The last successful poll.")
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(help_text="Why the last attempt failed; empty after a success.")
    disconnected_since = serializers.DateTimeField(
        source="disconnected_at", allow_null=True, help_text="Set while Spotify refuses the stored grant."
    )

    class Meta:
        model = HistoryState
        fields = ["since", "last_polled_at", "last_attempt_at", "last_error", "disconnected_since"]
        read_only_fields = fields


class HistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Older plays; null on the last page.")
    previous = serializers.URLField(allow_null=True, help_text="Newer plays; null on the first page.")
    status = HistoryStatusSerializer(allow_null=True, help_text="Null until the first poll was attempted.")
    gaps = HistoryGapSerializer(
        many=True,
        help_text="Windows where plays may be missing that overlap this page, newest first: from its "
        "oldest play to its newest (the first page reaches up to now, the last page back to the "
        "beginning). Plays may be missing after `starts_at` and before `ends_at`; a gap at a page "
        "boundary is listed on both pages.",
    )
    results = PlaySerializer(many=True, help_text="Plays, newest first (50 per page).")
