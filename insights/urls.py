from django.urls import path

from insights.views import history as history_views
from insights.views import insights as insight_views
from insights.views import recap as recap_views
from insights.views import snapshots as snapshot_views
from insights.views import staff as staff_views

app_name = "insights"

urlpatterns = [
    path("staff/", staff_views.dashboard, name="staff-dashboard"),
    path("history/", history_views.history, name="history"),
    path("history/import", history_views.upload_export, name="history-import"),
    path("insights/", snapshot_views.insights, name="insights"),
    path("insights/recap/", recap_views.recap_latest, name="recap-latest"),
    path("insights/recap/<int:year>/", recap_views.recap, name="recap"),
    path("insights/ingest/", snapshot_views.ingest, name="ingest"),
    path("insights/generate/", insight_views.generate, name="insight-generate"),
]
