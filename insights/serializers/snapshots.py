"""What the listening API says of a snapshot, and the filters it accepts."""

from __future__ import annotations

from rest_framework import serializers

from core.api_input import QuerySerializer
from insights.models import ListeningSnapshot, TimeRange


class RankedItemSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Spotify id.")
    rank = serializers.IntegerField(help_text="1 is the top.")
    plays = serializers.IntegerField(
        help_text="Stored plays inside the range's window (an artist: of tracks crediting them)."
    )


class PlayedArtistSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Spotify id.")
    plays = serializers.IntegerField(
        help_text="Stored plays inside the range's window of tracks crediting them."
    )


class ListeningSnapshotSerializer(serializers.ModelSerializer):
    top_tracks = RankedItemSerializer(many=True)
    top_artists = RankedItemSerializer(many=True)
    played_artists = PlayedArtistSerializer(
        many=True,
        help_text="Every artist with a stored play in the window, most played first "
        "(not only Spotify's top artists).",
    )
    genre_distribution = serializers.DictField(
        child=serializers.FloatField(),
        help_text="Genre → share over the top artists; each artist's genres count once; shares sum to 1.",
    )
    decade_distribution = serializers.DictField(
        child=serializers.FloatField(),
        help_text='"1990s" → share of the top tracks with a known release year.',
    )
    hour_of_day = serializers.ListField(
        child=serializers.IntegerField(), help_text="24 play counts by hour, in the server's time zone."
    )
    weekday_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="7 rows (Monday first) of 24 play counts.",
    )
    audio_features = serializers.DictField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="Means of Spotify's audio features over the top tracks (Extended mode); null without them.",
    )
    mood_distribution = serializers.DictField(child=serializers.FloatField(), help_text="Mood → share.")
    moods_estimated = serializers.BooleanField(
        help_text="True: mood and energy are our song analyses' estimates; false: from Spotify's audio features."
    )
    mood_diversity = serializers.FloatField(
        allow_null=True, help_text="Normalised Shannon entropy H/ln k of the mood mix (0..1); null if none."
    )
    genre_diversity = serializers.FloatField(
        allow_null=True, help_text="Normalised Shannon entropy H/ln k of the genre mix (0..1); null if none."
    )

    class Meta:
        model = ListeningSnapshot
        fields = [
            "id", "snapshot_date", "time_range", "top_tracks", "top_artists", "played_artists",
            "genre_distribution", "decade_distribution", "explicit_share", "play_count", "hour_of_day",
            "weekday_hours",
            "audio_features", "mood_distribution", "energy_mean", "moods_estimated", "analysed_tracks",
            "mood_diversity", "genre_diversity", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class SnapshotFilterSerializer(QuerySerializer):
    """Query parameters of GET /api/listening/snapshots; a bad one is a 400 naming it."""

    time_range = serializers.ChoiceField(choices=TimeRange.choices, required=False, help_text="One range only.")
    date_from = serializers.DateField(required=False, help_text="First day, inclusive (YYYY-MM-DD).")
    date_to = serializers.DateField(
        required=False, help_text="Last day, inclusive (YYYY-MM-DD); not before date_from (400)."
    )

    def validate(self, attrs: dict) -> dict:
        if "date_from" in attrs and "date_to" in attrs and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class IngestQueuedSerializer(serializers.Serializer):
    ingest_id = serializers.IntegerField(help_text="The ingest run's id.")
    status = serializers.CharField(help_text="queued, running, …")
    already_queued = serializers.BooleanField(help_text="True: one was already queued or running; this is it.")
    task_id = serializers.CharField(help_text="Django-Q's task id (empty for a moment while it is handed over).")
    status_url = serializers.CharField(help_text="Where to follow the task.")
