from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from library.models import Album, Artist, Playlist, PlaylistItem, Track


class ImageUrlField(serializers.URLField):
    """An image Spotify gave, or null when it gave none (stored as an empty string, which is no
    URI: the schema says `format: uri, nullable`)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None


class OwnerSerializer(serializers.Serializer):
    spotify_id = serializers.CharField(source="owner_spotify_id")
    name = serializers.CharField(source="owner_name")


class PlaylistSerializer(serializers.ModelSerializer):
    """Two counts: items_total is what Spotify reports, track_count the items we hold
    (equal after a complete import, 0 when items_status is not_available)."""

    owner = OwnerSerializer(source="*", read_only=True)
    image_url = ImageUrlField(help_text="The playlist's cover; null when it has none.")

    class Meta:
        model = Playlist
        fields = [
            "id",
            "spotify_id",
            "kind",
            "name",
            "description",
            "owner",
            "public",
            "collaborative",
            "items_total",
            "track_count",
            "items_status",
            "snapshot_id",
            "image_url",
            "list_position",
            "items_imported_at",
        ]
        read_only_fields = fields


class ArtistRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Artist
        fields = ["spotify_id", "name"]


class AlbumRefSerializer(serializers.ModelSerializer):
    image_url = ImageUrlField(help_text="The album's cover; null when it has none.")

    class Meta:
        model = Album
        fields = ["spotify_id", "name", "release_date", "release_year", "image_url"]


class TrackSerializer(serializers.ModelSerializer):
    album = AlbumRefSerializer(allow_null=True)
    artists = serializers.SerializerMethodField(help_text="Credited artists, main artist first.")

    class Meta:
        model = Track
        fields = ["spotify_id", "name", "duration_ms", "explicit", "isrc", "album", "artists"]

    @extend_schema_field(ArtistRefSerializer(many=True))
    def get_artists(self, track: Track) -> list[dict]:
        # credits.all() reads the prefetched, ordered credits: no query per track. ArtistRefSerializer's
        # shape, built by hand: a ModelSerializer made per track costs more than the rest of the page.
        return [{"spotify_id": c.artist.spotify_id, "name": c.artist.name} for c in track.credits.all()]


class PlaylistItemSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(help_text="The track's, episode's or local file's name.")
    track = TrackSerializer(allow_null=True, help_text="Only for kind=track.")

    class Meta:
        model = PlaylistItem
        fields = ["position", "kind", "name", "uri", "added_at", "added_by", "track"]

    def get_name(self, item: PlaylistItem) -> str:
        if item.track is not None:
            return item.track.name
        return item.name or item.local_name


class PlaylistItemPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PlaylistItemSerializer(many=True)


class PlaylistDetailSerializer(PlaylistSerializer):
    """A playlist and one page of its items (?page=N)."""

    items = PlaylistItemPageSerializer(read_only=True)

    class Meta(PlaylistSerializer.Meta):
        fields = [*PlaylistSerializer.Meta.fields, "items"]
        read_only_fields = fields
