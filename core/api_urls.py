from django.urls import path

from core import api

# A single task is an object, so its path has no trailing slash.
urlpatterns = [
    path("tasks/<str:task_id>", api.TaskView.as_view(), name="api-task"),
]
