from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from sync.models import SyncEvent
from core import run_control
from core.permissions import OperatorActionsMixin
from sync.services import triggers


@admin.register(SyncEvent)
class SyncEventAdmin(OperatorActionsMixin, admin.ModelAdmin):
    """Runs are read-only here: their state belongs to the worker. Failed ones can be retried, queued
    ones cancelled, by staff holding sync.change_syncevent (OperatorActionsMixin)."""

    list_display = (
        "id",
        "user",
        "kind",
        "status",
        "scope",
        "trigger",
        "created_at",
        "finished_at",
        "progress",
        "spotify_requests",
        "rate_limited",
        "short_error",
    )
    list_filter = ("status", "scope", "trigger", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__display_name")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    actions = ["retry_selected", "cancel_selected"]
    readonly_fields = [field.name for field in SyncEvent._meta.fields]

    @admin.display(description="progress")
    def progress(self, event: SyncEvent) -> str:
        return f"{event.playlists_done}/{event.playlists_total} playlists, {event.items_done} items"

    @admin.display(description="error")
    def short_error(self, event: SyncEvent) -> str:
        return event.error if len(event.error) <= 80 else f"{event.error[:77]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SyncEvent | None = None) -> bool:
        return False

    @admin.action(
        description="Retry the selected failed or cancelled imports", permissions=("operate",)
    )
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[SyncEvent]) -> None:
        retried, refused = [], []
        for event in queryset.select_related("user").order_by("pk"):
            try:
                retry = triggers.retry_import(event=event)
            except triggers.RunRefused as exc:
                refused.append(f"#{event.pk}: {exc}")
            else:
                retried.append(f"#{event.pk} → #{retry.pk}")
        if retried:
            self.message_user(request, f"Retrying {', '.join(retried)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not retried: {'; '.join(refused)}", messages.WARNING)

    @admin.action(
        description="Cancel the selected queued or postponed imports (not running ones)",
        permissions=("operate",),
    )
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[SyncEvent]) -> None:
        cancelled, refused = [], []
        for event in queryset.order_by("pk"):
            try:
                run_control.cancel_run(run=event, by=f"staff ({request.user.get_username()})")
            except run_control.RunControlError as exc:
                refused.append(str(exc))
            else:
                cancelled.append(f"#{event.pk}")
        if cancelled:
            self.message_user(request, f"Cancelled {', '.join(cancelled)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not cancelled: {' '.join(refused)}", messages.WARNING)
