from django.urls import path

from llm import api

# Action paths without a trailing slash, like sync's.
urlpatterns = [
    path("llm/status", api.StatusView.as_view(), name="api-llm-status"),
    path("llm/force-provider", api.ForceProviderView.as_view(), name="api-llm-force-provider"),
    path("llm/reset-cache", api.ResetView.as_view(), name="api-llm-reset-cache"),
]
