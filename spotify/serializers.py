"""What the API says of a run's Spotify traffic, the same for imports and route runs."""

from __future__ import annotations

from rest_framework import serializers


class SpotifyCountersSerializer(serializers.Serializer):
    """A run's requests to Spotify (every try counted), its 429 answers and its retries."""

    spotify_requests = serializers.IntegerField()
    rate_limited = serializers.IntegerField(help_text="429 answers from Spotify.")
    retries = serializers.IntegerField()
