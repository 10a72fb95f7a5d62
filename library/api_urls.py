from django.urls import path

from library import api

urlpatterns = [
    path("library/playlists/", api.PlaylistListView.as_view(), name="api-library-playlists"),
    path("library/playlists/<id:pk>/", api.PlaylistDetailView.as_view(), name="api-library-playlist"),
]
