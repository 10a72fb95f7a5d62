from django.urls import path

from routing.api import bases, children, runs

urlpatterns = [
    # Routing. The action paths (order, sync, sync-status, preview) have no trailing slash.
    path("base-playlists/", bases.BasePlaylistListView.as_view(), name="api-base-playlists"),
    path("base-playlists/<int:pk>/", bases.BasePlaylistDetailView.as_view(), name="api-base-playlist"),
    path(
        "base-playlists/<int:pk>/children/",
        children.BaseChildrenView.as_view(),
        name="api-base-playlist-children",
    ),
    path(
        "base-playlists/<int:pk>/children/order",
        children.ChildOrderView.as_view(),
        name="api-base-playlist-children-order",
    ),
    path("base-playlists/<int:pk>/sync", runs.BaseSyncView.as_view(), name="api-base-playlist-sync"),
    path(
        "base-playlists/<int:pk>/sync-status",
        runs.BaseSyncStatusView.as_view(),
        name="api-base-playlist-sync-status",
    ),
    path("base-playlists/<int:pk>/preview", runs.BasePreviewView.as_view(), name="api-base-playlist-preview"),
    path("child-playlists/<int:pk>/", children.ChildDetailView.as_view(), name="api-child-playlist"),
    path("filter-fields/", children.FilterFieldsView.as_view(), name="api-filter-fields"),
    # Actions only a route or restore has, on its run (route runs are sync events for now).
    path("sync-events/<int:pk>/confirm", runs.SyncEventConfirmView.as_view(), name="api-sync-event-confirm"),
    path("sync-events/<int:pk>/discard", runs.SyncEventDiscardView.as_view(), name="api-sync-event-discard"),
    path("sync-events/<int:pk>/restore", runs.SyncEventRestoreView.as_view(), name="api-sync-event-restore"),
    path("sync-events/<int:pk>/backups/", runs.SyncEventBackupsView.as_view(), name="api-sync-event-backups"),
    path("backups/<int:pk>", runs.BackupDetailView.as_view(), name="api-backup"),
]
