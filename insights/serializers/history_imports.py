"""What the history import API says: one import's status, progress and counts."""

from __future__ import annotations

from rest_framework import serializers

from insights.models import HistoryImport


class HistoryImportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(help_text="How far the read is, 0-100 (100 once done).")

    class Meta:
        model = HistoryImport
        fields = [
            "id",
            "status",
            "original_name",
            "note",
            "error",
            "percent",
            "checked",
            "total_rows",
            "rows_read",
            "plays_added",
            "already_known",
            "unmatched",
            "skips",
            "episodes",
            "covered_from",
            "covered_to",
            "gaps_closed",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "note": {"help_text": 'Said beside the status, e.g. "This export was already imported".'},
            "already_known": {
                "help_text": "Plays stored before (polled from Spotify, or imported): not added again."
            },
            "unmatched": {"help_text": "Account Data plays matching no track, kept with their names."},
            "covered_from": {"help_text": "The end of the export's first play read (null before any)."},
            "covered_to": {"help_text": "The end of its last play read: the history is complete in between."},
            "gaps_closed": {"help_text": "Gaps of the history this import deleted or shrank, once done."},
            "checked": {
                "help_text": "The whole file was read and found sound: the import's first step, before any play is stored."
            },
            "total_rows": {"help_text": "Rows of every kind in the export, counted by that check (0 before it)."},
        }


class HistoryImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The zip from Spotify's privacy page, or one of its history JSON files."
    )
