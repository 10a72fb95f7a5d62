from django.urls import path

from exports import api

# Files, named as files are: the extension says the format (csv or json).
urlpatterns = [
    path("exports/library.<str:file_format>", api.LibraryExportView.as_view(), name="api-export-library"),
    path(
        "exports/playlists/<id:pk>.<str:file_format>",
        api.PlaylistExportView.as_view(),
        name="api-export-playlist",
    ),
    path("exports/history.<str:file_format>", api.HistoryExportView.as_view(), name="api-export-history"),
    path(
        "exports/song-analyses.<str:file_format>",
        api.AnalysesExportView.as_view(),
        name="api-export-analyses",
    ),
]
