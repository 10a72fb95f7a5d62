from django.urls import path

from insights import history_views, insight_views, snapshot_views, staff_views

app_name = "insights"

urlpatterns = [
    path("staff/", staff_views.dashboard, name="staff-dashboard"),
    path("history/", history_views.history, name="history"),
    path("insights/", snapshot_views.insights, name="insights"),
    path("insights/ingest/", snapshot_views.ingest, name="ingest"),
    path("insights/generate/", insight_views.generate, name="insight-generate"),
]
