from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/api-tokens/", views.create_api_token, name="create-api-token"),
    path("dashboard/api-tokens/<int:pk>/revoke", views.revoke_api_token, name="revoke-api-token"),
]
