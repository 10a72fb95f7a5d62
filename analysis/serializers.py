"""What the API says of a song's analysis and of a playlist's."""

from __future__ import annotations

from rest_framework import serializers

from analysis.models import SongAnalysis
from library.serializers import TrackSerializer


class FlagsSerializer(serializers.Serializer):
    profanity = serializers.BooleanField()
    violence = serializers.BooleanField()
    sexual = serializers.BooleanField()
    drugs = serializers.BooleanField()


class SongAnalysisSerializer(serializers.ModelSerializer):
    """One analysis under the current prompt version; shared by every listener of the song."""

    flags = FlagsSerializer(read_only=True)
    flagged = serializers.BooleanField(read_only=True, help_text="Any content flag raised.")
    guess = serializers.CharField(
        read_only=True,
        help_text='Why the analysis is a guess rather than a reading of the lyrics: "instrumental", '
        '"no_lyrics" or "low_confidence" (below 0.5); empty when it read lyrics with confidence.',
    )

    class Meta:
        model = SongAnalysis
        fields = [
            "mood", "energy", "themes", "genres", "flags", "flagged", "guess", "content_rating", "language",
            "summary", "confidence", "lyrics_status", "provider", "model", "prompt_version", "latency_ms",
            "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SongSerializer(serializers.Serializer):
    track = TrackSerializer()
    lyrics_status = serializers.CharField(
        allow_null=True, help_text="found, instrumental, not_found or error; null until looked up."
    )
    analysis = SongAnalysisSerializer(allow_null=True, help_text="Null until the song is analysed.")
    playlists = serializers.ListField(
        child=serializers.DictField(), help_text="Your playlists holding the song: id and name."
    )


class MoodCountSerializer(serializers.Serializer):
    mood = serializers.CharField()
    count = serializers.IntegerField()


class PlaylistAnalysisSerializer(serializers.Serializer):
    playlist = serializers.IntegerField(help_text="The playlist's id.")
    tracks = serializers.IntegerField(help_text="Distinct tracks in the playlist.")
    analysed = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Tracks with no analysis yet.")
    flagged = serializers.IntegerField(
        help_text="Analysed tracks with at least one content flag read from their lyrics with confidence "
        "(a guess's flags are not counted)."
    )
    guessed = serializers.IntegerField(help_text="Analysed tracks whose analysis is a guess (see guess).")
    moods = MoodCountSerializer(many=True, help_text="Mood mix, most common first.")


class AnalysedTrackSerializer(serializers.Serializer):
    track = TrackSerializer()
    analysis = SongAnalysisSerializer(allow_null=True)


class AnalysedTrackPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Distinct tracks in the playlist.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AnalysedTrackSerializer(many=True)


class PlaylistAnalysisPageSerializer(PlaylistAnalysisSerializer):
    """The summary and a page of the songs (`?page=`, 100 per page)."""

    songs = AnalysedTrackPageSerializer()
