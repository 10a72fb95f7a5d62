from django.urls import path

from exports import views

app_name = "exports"

# A download's name ends in its format, as a file's does: /exports/library.csv.
urlpatterns = [
    path("exports/", views.index, name="index"),
    path("exports/library.<str:file_format>", views.library, name="library"),
    path("exports/playlists/<int:pk>.<str:file_format>", views.playlist, name="playlist"),
    path("exports/history.<str:file_format>", views.history, name="history"),
    path("exports/song-analyses.<str:file_format>", views.analyses, name="analyses"),
]
