from django.urls import path

from llm import views

app_name = "llm"

urlpatterns = [
    path("staff/llm/", views.status, name="status"),
]
