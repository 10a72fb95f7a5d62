from django.urls import path

from insights.api import history as history_api
from insights.api import history_imports as history_import_api
from insights.api import insights as insight_api
from insights.api import recap as recap_api
from insights.api import snapshots as snapshot_api

# Paths as the issue names them: collections end in a slash, actions and single objects
# under /insights do not.
urlpatterns = [
    path("history/", history_api.HistoryView.as_view(), name="api-history"),
    path("history/imports/", history_import_api.HistoryImportListView.as_view(), name="api-history-imports"),
    path("history/imports/<id:pk>", history_import_api.HistoryImportDetailView.as_view(), name="api-history-import"),
    path("listening/ingest", snapshot_api.ListeningIngestView.as_view(), name="api-listening-ingest"),
    path("listening/snapshots", snapshot_api.ListeningSnapshotsView.as_view(), name="api-listening-snapshots"),
    path("insights/", insight_api.InsightListView.as_view(), name="api-insights"),
    path("insights/recap/<int:year>", recap_api.YearRecapView.as_view(), name="api-recap"),
    path("insights/generate", insight_api.GenerateInsightView.as_view(), name="api-insights-generate"),
    path("insights/<id:pk>", insight_api.InsightDetailView.as_view(), name="api-insight"),
    path(
        "insights/<id:pk>/regenerate", insight_api.RegenerateInsightView.as_view(), name="api-insight-regenerate"
    ),
]
