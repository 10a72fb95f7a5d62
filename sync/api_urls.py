from django.urls import path

from sync import api

urlpatterns = [
    path("library/import/", api.ImportView.as_view(), name="api-library-import"),
    path("sync-events/", api.SyncEventListView.as_view(), name="api-sync-events"),
    path("sync-events/<id:pk>/", api.SyncEventDetailView.as_view(), name="api-sync-event"),
    path("sync-events/<id:pk>/retry/", api.SyncEventRetryView.as_view(), name="api-sync-event-retry"),
    # Actions on one run: no trailing slash. Confirm, discard, restore and backups are routing's.
    path("sync-events/<id:pk>/cancel", api.SyncEventCancelView.as_view(), name="api-sync-event-cancel"),
]
