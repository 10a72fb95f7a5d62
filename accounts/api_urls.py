from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/tokens/", api.ApiTokenListView.as_view(), name="api-me-tokens"),
    path("me/tokens/<id:pk>", api.ApiTokenDetailView.as_view(), name="api-me-token"),
]
