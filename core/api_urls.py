from django.urls import path

from core import api

urlpatterns = [
    path("", api.ApiRootView.as_view(), name="api-root"),
    # A single task is an object, so its path has no trailing slash.
    path("tasks/<str:task_id>", api.TaskView.as_view(), name="api-task"),
]
