from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from routing.models import BasePlaylist, ChildPlaylist


class ChildPlaylistInline(admin.TabularInline):
    model = ChildPlaylist
    extra = 0
    fields = ("position", "name", "spotify_id", "mode", "filters", "playlist")
    readonly_fields = fields
    can_delete = False
    ordering = ("position",)


@admin.register(BasePlaylist)
class BasePlaylistAdmin(admin.ModelAdmin):
    """Read-only for staff: set-up edits go through the services (and their lock) on the pages."""

    list_display = (
        "id",
        "user",
        "name",
        "is_disabled",
        "children_count",
        "first_match_only",
        "auto_route_after_import",
    )
    list_filter = ("first_match_only", "auto_route_after_import")
    search_fields = ("user__username", "name", "spotify_id")
    list_select_related = ("user", "playlist")
    inlines = [ChildPlaylistInline]
    readonly_fields = [field.name for field in BasePlaylist._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[BasePlaylist]:
        return super().get_queryset(request).annotate(children_total=Count("children"))

    @admin.display(description="children", ordering="children_total")
    def children_count(self, base: BasePlaylist) -> int:
        return base.children_total

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: BasePlaylist | None = None) -> bool:
        return False
