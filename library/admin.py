"""The mirror, browsable and read-only: imports write it, people only look."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from library.models import Album, Artist, Playlist, PlaylistItem, Track, TrackArtist


class ReadOnlyMixin:
    """The mirror is written only by imports; staff browse it, never edit it."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    # The (read-only) form still builds its fields; say which scheme Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Playlist)
class PlaylistAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "user",
        "kind",
        "owner_name",
        "items_total",
        "track_count",
        "items_status",
        "list_position",
        "items_imported_at",
    )
    list_filter = ("kind", "items_status", "collaborative")
    search_fields = ("name", "spotify_id", "user__username", "user__display_name")
    list_select_related = ("user",)


@admin.register(PlaylistItem)
class PlaylistItemAdmin(ReadOnlyAdmin):
    list_display = ("playlist", "position", "kind", "track", "name", "added_at")
    list_filter = ("kind",)
    search_fields = ("playlist__name", "track__name", "name", "playlist__user__username")
    list_select_related = ("playlist", "track")
    raw_id_fields = ("playlist", "track")


class TrackArtistInline(ReadOnlyMixin, admin.TabularInline):
    model = TrackArtist
    fields = ("position", "artist")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[TrackArtist]:
        return super().get_queryset(request).select_related("artist")


@admin.register(Track)
class TrackAdmin(ReadOnlyAdmin):
    list_display = ("name", "artist_names", "album", "duration_ms", "explicit", "isrc", "popularity")
    list_filter = ("explicit",)
    search_fields = ("name", "spotify_id", "isrc")
    list_select_related = ("album",)
    exclude = ("artists",)
    inlines = [TrackArtistInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Track]:
        return super().get_queryset(request).prefetch_related("credits__artist")

    @admin.display(description="artists")
    def artist_names(self, track: Track) -> str:
        # Sorted in Python: the prefetched credits are reused, no query per row.
        credits = sorted(track.credits.all(), key=lambda credit: credit.position)
        return ", ".join(credit.artist.name for credit in credits)


@admin.register(Album)
class AlbumAdmin(ReadOnlyAdmin):
    list_display = ("name", "album_type", "release_date", "release_year", "label", "popularity")
    list_filter = ("album_type", "release_date_precision")
    search_fields = ("name", "spotify_id")


@admin.register(Artist)
class ArtistAdmin(ReadOnlyAdmin):
    list_display = ("name", "genre_list", "popularity", "genres_fetched_at", "unknown_to_spotify")
    list_filter = ("unknown_to_spotify",)
    search_fields = ("name", "spotify_id")

    @admin.display(description="genres")
    def genre_list(self, artist: Artist) -> str:
        return ", ".join(artist.genres)
