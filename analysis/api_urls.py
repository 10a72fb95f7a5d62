from django.urls import path

from analysis import api

urlpatterns = [
    path("songs/<str:spotify_id>/", api.SongView.as_view(), name="api-song"),
    path(
        "library/playlists/<id:pk>/analysis/",
        api.PlaylistAnalysisView.as_view(),
        name="api-playlist-analysis",
    ),
]
