from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/api-token/", views.rotate_api_token, name="rotate-api-token"),
]
