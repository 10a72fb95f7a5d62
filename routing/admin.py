from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from core.permissions import OperatorActionsMixin
from routing.models import BasePlaylist, ChildPlaylist, MetadataWarmUp, RouteRun, RouteRunKind
from routing.services import restore, run_control, triggers


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


@admin.register(RouteRun)
class RouteRunAdmin(OperatorActionsMixin, admin.ModelAdmin):
    """Route and restore runs, read-only: their state belongs to the worker. Failed ones can be
    retried, queued or waiting ones cancelled (nothing was written yet), by staff holding
    routing.change_routerun (OperatorActionsMixin)."""

    list_display = (
        "id", "user", "base_column", "kind", "status", "trigger", "created_at", "finished_at", "progress",
        "spotify_requests", "rate_limited", "short_error",
    )  # fmt: skip
    list_filter = ("status", "kind", "trigger", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__display_name", "base_name", "base__name")
    list_select_related = ("user", "base")
    date_hierarchy = "created_at"
    actions = ["retry_selected", "cancel_selected"]
    readonly_fields = [field.name for field in RouteRun._meta.fields]

    @admin.display(description="base", ordering="base_name")
    def base_column(self, run: RouteRun) -> str:
        return run.base_label

    @admin.display(description="progress")
    def progress(self, run: RouteRun) -> str:
        return f"{run.children_done}/{run.children_total} children, {run.tracks} tracks"

    @admin.display(description="error")
    def short_error(self, run: RouteRun) -> str:
        return run.error if len(run.error) <= 80 else f"{run.error[:77]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RouteRun | None = None) -> bool:
        return False

    @admin.action(
        description="Retry the selected failed or cancelled routes and restores",
        permissions=("operate",),
    )
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[RouteRun]) -> None:
        retried, refused = [], []
        for run in queryset.select_related("user", "base").order_by("pk"):
            retry = restore.retry_restore if run.kind == RouteRunKind.RESTORE else triggers.retry_route
            try:
                again = retry(event=run)
            except triggers.RouteTriggerError as exc:
                refused.append(f"#{run.pk}: {exc}")
            else:
                retried.append(f"#{run.pk} → #{again.pk}")
        if retried:
            self.message_user(request, f"Retrying {', '.join(retried)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not retried: {'; '.join(refused)}", messages.WARNING)

    @admin.action(
        description="Cancel the selected queued or waiting runs (not running ones)",
        permissions=("operate",),
    )
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[RouteRun]) -> None:
        cancelled, refused = [], []
        for run in queryset.order_by("pk"):
            try:
                run_control.cancel_route_run(run=run, by=f"staff ({request.user.get_username()})")
            except run_control.RunControlError as exc:
                refused.append(str(exc))
            else:
                cancelled.append(f"#{run.pk}")
        if cancelled:
            self.message_user(request, f"Cancelled {', '.join(cancelled)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not cancelled: {' '.join(refused)}", messages.WARNING)


@admin.register(MetadataWarmUp)
class MetadataWarmUpAdmin(admin.ModelAdmin):
    """Read-only: what the previews' artist lookups did, per base (the claim is the service's)."""

    list_display = ("base", "status", "requested_at", "finished_at", "resume_at", "looked_up", "unknown")
    list_filter = ("status",)
    search_fields = ("base__name", "base__user__username")
    list_select_related = ("base",)
    readonly_fields = [field.name for field in MetadataWarmUp._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MetadataWarmUp | None = None) -> bool:
        return False
