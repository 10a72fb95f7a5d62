from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("songs/<str:spotify_id>/", views.song, name="song"),
]
