"""The device library, browsable and read-only: only merges from the listener's devices write it,
staff only look (an edit here would be overwritten, or resurrected, by the next merge)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from devices.models import (
    AppPlaylist,
    DeviceSession,
    Favorite,
    HistoryEntry,
    Preferences,
    Queue,
    RecentSearch,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Favorite)
class FavoriteAdmin(ReadOnlyAdmin):
    list_display = ("title", "artist", "track", "user", "added_at", "removed_at", "updated_at")
    search_fields = ("title", "artist", "track", "user__username")
    list_select_related = ("user",)


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "artist", "user", "played_at", "completion", "source")
    list_filter = ("source",)
    search_fields = ("title", "artist", "track", "user__username")
    list_select_related = ("user",)


@admin.register(Queue)
class QueueAdmin(ReadOnlyAdmin):
    list_display = ("user", "device", "changed_at", "updated_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(AppPlaylist)
class AppPlaylistAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "local_id", "is_public", "created_at", "removed_at", "updated_at")
    list_filter = ("is_public",)
    search_fields = ("name", "local_id", "user__username")
    list_select_related = ("user",)


@admin.register(Preferences)
class PreferencesAdmin(ReadOnlyAdmin):
    list_display = ("user", "shuffle", "repeat", "volume", "changed_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(RecentSearch)
class RecentSearchAdmin(ReadOnlyAdmin):
    list_display = ("query", "user", "searched_at")
    search_fields = ("query", "user__username")
    list_select_related = ("user",)


@admin.register(DeviceSession)
class DeviceSessionAdmin(ReadOnlyAdmin):
    list_display = ("device", "user", "session_id", "last_seen", "created_at")
    search_fields = ("device", "session_id", "user__username")
    list_select_related = ("user",)
