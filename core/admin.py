"""Admin views of job records: read-only, since the queue writes them."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_q.models import Task

from core.models import JobRecord, JobStatus


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FailedRecentlyFilter(admin.SimpleListFilter):
    title = "failed recently"
    parameter_name = "failed"

    def lookups(self, request, model_admin):
        return [("day", "In the last day")]

    def queryset(self, request, queryset):
        if self.value() == "day":
            since = timezone.now() - timedelta(days=1)
            return queryset.filter(status=JobStatus.FAILED, finished_at__gte=since)
        return queryset


@admin.register(JobRecord)
class JobRecordAdmin(ReadOnly):
    list_display = (
        "label", "status", "user", "scheduled", "enqueued_at", "started_at", "finished_at", "duration", "task_id",
    )  # fmt: skip
    list_filter = (FailedRecentlyFilter, "status", "scheduled", "label")
    search_fields = ("task_id", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("django_q_task",)
    date_hierarchy = "enqueued_at"

    @admin.display(description="duration")
    def duration(self, record: JobRecord) -> str:
        seconds = record.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"

    @admin.display(description="Django-Q task")
    def django_q_task(self, record: JobRecord) -> str:
        # Django-Q2 keeps the full result and traceback; it caps successes, so it may be gone.
        task = Task.objects.filter(id=record.task_id).only("id", "success").first()
        if task is None:
            return "—"
        name = "django_q_success_change" if task.success else "django_q_failure_change"
        return format_html('<a href="{}">{}</a>', reverse(f"admin:{name}", args=[task.pk]), task.pk)
