"""Admin views of the queue: job records, and Django-Q2's own models, all read-only.

Django-Q2's admin lets staff add a schedule of any dotted function with any arguments and read
its result, and "resubmit" a failed or successful task: running code of their choosing in a
worker, whose environment holds FIELD_ENCRYPTION_KEYS (so every Spotify token). Its classes are
replaced here by read-only ones that only superusers see; schedules are written by code
(`core.schedules`, `manage.py ensure_schedules`), and a run is retried through its own safe
action (the run pages and the staff console), never by re-running a stored call.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django_q import admin as django_q_admin
from django_q.models import Failure, OrmQ, Schedule, Success, Task

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


class SuperuserReadOnly(ReadOnly):
    """Django-Q2's rows, for superusers only and only to read: no add, change or delete, and no
    action (its "resubmit" runs the stored function again with the stored arguments). Staff
    without superuser rights get 403 whatever model permissions they were given, since a
    schedule's arguments and a task's result may hold anything a function returned."""

    actions = None

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request) -> dict:
        return {}


def superuser_read_only(base: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """Django-Q2's admin class `base` (its columns, filters and search), made SuperuserReadOnly."""
    return type(f"ReadOnly{base.__name__}", (SuperuserReadOnly, base), {"actions": None})


def _replace_django_q_admin(site: admin.AdminSite) -> None:
    replacements = {
        Schedule: django_q_admin.ScheduleAdmin,
        Success: django_q_admin.TaskAdmin,
        Failure: django_q_admin.FailAdmin,
        OrmQ: django_q_admin.QueueAdmin,  # registered by Django-Q2 only with the ORM broker
    }
    for model, base in replacements.items():
        if site.is_registered(model):
            site.unregister(model)
            site.register(model, superuser_read_only(base))


_replace_django_q_admin(admin.site)
