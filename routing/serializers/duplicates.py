"""Serializers of the duplicates in a listener's playlists and of a duplicate removal (or its undo)."""

from __future__ import annotations

from rest_framework import serializers

from routing.models import RouteRun


class OccurrenceSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="The row's place in the playlist, from 0 (local files count).")
    track_id = serializers.CharField()
    uri = serializers.CharField()
    name = serializers.CharField()
    artists = serializers.CharField()
    album = serializers.CharField()
    isrc = serializers.CharField(help_text="Empty when Spotify gave none.")


class DuplicateGroupSerializer(serializers.Serializer):
    kept = OccurrenceSerializer(help_text="The first copy: the one a removal keeps.")
    extra = OccurrenceSerializer(many=True, help_text="The later copies: what a removal takes out.")
    same_recording = serializers.BooleanField(
        help_text="True when the copies are different Spotify tracks of one recording (one ISRC)."
    )


class SharedTrackSerializer(serializers.Serializer):
    occurrence = OccurrenceSerializer(help_text="Its first row in this playlist.")
    elsewhere = serializers.ListField(child=serializers.CharField(), help_text="The other playlists holding it.")


class PlaylistRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    spotify_id = serializers.CharField()
    name = serializers.CharField()
    snapshot_id = serializers.CharField(help_text="The version reviewed: send it back with a removal.")


class PlaylistDuplicatesSerializer(serializers.Serializer):
    playlist = PlaylistRefSerializer()
    groups = DuplicateGroupSerializer(many=True)
    shared = SharedTrackSerializer(many=True)
    can_remove = serializers.SerializerMethodField()
    read_only_reason = serializers.CharField(help_text="Why duplicates cannot be removed here; empty when they can.")

    def get_can_remove(self, found) -> bool:
        return not found.read_only_reason and bool(found.groups)


class RemoveDuplicatesSerializer(serializers.Serializer):
    positions = serializers.ListField(
        child=serializers.IntegerField(min_value=0), allow_empty=False, max_length=10_000,
        help_text="The rows to remove: later copies listed in groups[].extra[].position.",
    )  # fmt: skip
    snapshot_id = serializers.CharField(max_length=200, help_text="playlist.snapshot_id as reviewed.")


class DuplicateRemovalSerializer(serializers.ModelSerializer):
    playlist = serializers.CharField(source="base_name")
    playlist_spotify_id = serializers.CharField(source="target_spotify_id")
    removals = serializers.SerializerMethodField()
    writes = serializers.SerializerMethodField()
    can_undo = serializers.SerializerMethodField()

    class Meta:
        model = RouteRun
        fields = [
            "id", "kind", "status", "playlist", "playlist_spotify_id", "restore_of", "created_at",
            "started_at", "finished_at", "error", "removals", "writes", "can_undo",
        ]  # fmt: skip

    def get_removals(self, run: RouteRun) -> list[dict]:
        """The rows the listener confirmed (position, uri, name); empty for an undo."""
        return list(((run.details or {}).get("plan") or {}).get("rows") or [])

    def get_writes(self, run: RouteRun) -> dict:
        return ((run.details or {}).get("writes") or {}).get(run.target_spotify_id) or {}

    def get_can_undo(self, run: RouteRun) -> bool:
        has_backup = getattr(run, "has_backup", None)
        if has_backup is None:
            has_backup = run.backups.exists()
        return not run.is_active and bool(has_backup)
