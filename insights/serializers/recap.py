"""What the recap API says of a year (insights.selectors.recap.YearRecap)."""

from __future__ import annotations

from rest_framework import serializers


class RecapMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="Its first day.")
    listens = serializers.IntegerField(help_text="Plays not skipped.")
    skips = serializers.IntegerField(help_text="Plays shorter than 30 s (or marked skipped by Spotify).")
    minutes = serializers.IntegerField(help_text="Every play's time, skips included.")
    estimated = serializers.IntegerField(
        help_text="Plays collected from Spotify, which do not say how long they played: "
        "counted as the track's length."
    )


class FavouriteSerializer(serializers.Serializer):
    id = serializers.CharField(source="item.spotify_id", help_text="Spotify id.")
    name = serializers.CharField(source="item.name")
    listens = serializers.IntegerField()
    minutes = serializers.IntegerField()
    first_played_at = serializers.DateTimeField(
        allow_null=True, help_text="Its first play ever in the stored history."
    )
    new_this_year = serializers.BooleanField(help_text="First played in this year.")


class LabelRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    counts = serializers.ListField(
        child=serializers.IntegerField(), help_text="Plays a month, January first."
    )
    total = serializers.IntegerField()


class BreakdownSerializer(serializers.Serializer):
    source = serializers.CharField(
        help_text='"analyses" (our song analyses), "spotify" (the artists\' Spotify genres) '
        'or "" (none known).'
    )
    rows = LabelRowSerializer(
        many=True, help_text="The largest; a play counts once for each of its track's labels."
    )
    other = LabelRowSerializer(allow_null=True, help_text="The rest, summed.")
    covered = serializers.IntegerField(help_text="Plays of tracks with a label.")
    listens = serializers.IntegerField()


class StreakSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    first = serializers.DateField(allow_null=True)
    last = serializers.DateField(allow_null=True)


class YearRecapSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    timezone = serializers.CharField(
        source="timezone_name", help_text="The time zone of its days and months."
    )
    listens = serializers.IntegerField()
    skips = serializers.IntegerField()
    minutes = serializers.IntegerField()
    estimated = serializers.IntegerField()
    days_listened = serializers.IntegerField()
    longest_streak = StreakSerializer(
        help_text="The longest run of consecutive days with a play (the earliest)."
    )
    distinct_tracks = serializers.IntegerField()
    distinct_artists = serializers.IntegerField()
    months = RecapMonthSerializer(many=True)
    top_tracks = FavouriteSerializer(many=True)
    top_tracks_by_minutes = FavouriteSerializer(many=True)
    top_artists = FavouriteSerializer(
        many=True, help_text="A play counts for each artist credited on its track."
    )
    top_artists_by_minutes = FavouriteSerializer(many=True)
    genres = BreakdownSerializer()
    moods = BreakdownSerializer()
