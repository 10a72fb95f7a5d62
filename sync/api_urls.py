from django.urls import path

from sync import api, routing_api

urlpatterns = [
    path("library/import/", api.ImportView.as_view(), name="api-library-import"),
    path("sync-events/", api.SyncEventListView.as_view(), name="api-sync-events"),
    path("sync-events/<int:pk>/", api.SyncEventDetailView.as_view(), name="api-sync-event"),
    path("sync-events/<int:pk>/retry/", api.SyncEventRetryView.as_view(), name="api-sync-event-retry"),
    # Actions on one run: no trailing slash.
    path("sync-events/<int:pk>/cancel", api.SyncEventCancelView.as_view(), name="api-sync-event-cancel"),
    path("sync-events/<int:pk>/confirm", api.SyncEventConfirmView.as_view(), name="api-sync-event-confirm"),
    path("sync-events/<int:pk>/discard", api.SyncEventDiscardView.as_view(), name="api-sync-event-discard"),
    path("sync-events/<int:pk>/restore", api.SyncEventRestoreView.as_view(), name="api-sync-event-restore"),
    path("sync-events/<int:pk>/backups/", api.SyncEventBackupsView.as_view(), name="api-sync-event-backups"),
    path("backups/<int:pk>", api.BackupDetailView.as_view(), name="api-backup"),
    # Routing. The action paths (order, sync, sync-status, preview) have no trailing slash.
    path("base-playlists/", routing_api.BasePlaylistListView.as_view(), name="api-base-playlists"),
    path("base-playlists/<int:pk>/", routing_api.BasePlaylistDetailView.as_view(), name="api-base-playlist"),
    path(
        "base-playlists/<int:pk>/children/",
        routing_api.BaseChildrenView.as_view(),
        name="api-base-playlist-children",
    ),
    path(
        "base-playlists/<int:pk>/children/order",
        routing_api.ChildOrderView.as_view(),
        name="api-base-playlist-children-order",
    ),
    path("base-playlists/<int:pk>/sync", routing_api.BaseSyncView.as_view(), name="api-base-playlist-sync"),
    path(
        "base-playlists/<int:pk>/sync-status",
        routing_api.BaseSyncStatusView.as_view(),
        name="api-base-playlist-sync-status",
    ),
    path(
        "base-playlists/<int:pk>/preview",
        routing_api.BasePreviewView.as_view(),
        name="api-base-playlist-preview",
    ),
    path("child-playlists/<int:pk>/", routing_api.ChildDetailView.as_view(), name="api-child-playlist"),
    path("filter-fields/", routing_api.FilterFieldsView.as_view(), name="api-filter-fields"),
]
