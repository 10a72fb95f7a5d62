from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("library/", views.playlists, name="playlists"),
    path("library/playlists/<int:pk>/", views.playlist, name="playlist"),
]
