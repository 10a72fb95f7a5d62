from django.urls import path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("songs/<str:spotify_id>/", views.song, name="song"),
]
