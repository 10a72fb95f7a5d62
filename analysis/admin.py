"""Admin views of analyses, lyrics and batches: read-only, since the queue writes them."""

from __future__ import annotations

from django.contrib import admin

from analysis.models import AnalysisBatch, Lyrics, SongAnalysis


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SongAnalysis)
class SongAnalysisAdmin(ReadOnly):
    list_display = ("track", "prompt_version", "mood", "content_rating", "provider", "model", "latency_ms")
    list_filter = ("prompt_version", "mood", "content_rating", "provider")
    search_fields = ("track__name", "track__spotify_id")
    list_select_related = ("track",)


@admin.register(Lyrics)
class LyricsAdmin(ReadOnly):
    list_display = ("track", "status", "source", "fetched_at")
    list_filter = ("status",)
    search_fields = ("track__name", "track__spotify_id")
    list_select_related = ("track",)
    exclude = ("plain",)  # third-party text: the song page shows it to the listener who has the song


@admin.register(AnalysisBatch)
class AnalysisBatchAdmin(ReadOnly):
    list_display = (
        "id", "status", "user", "track_total", "analysed", "skipped", "deferred", "failed", "runs",
        "created_at", "resume_at", "finished_at",
    )  # fmt: skip
    list_filter = ("status", "prompt_version")
    readonly_fields = ("error",)
    exclude = ("tracks",)
