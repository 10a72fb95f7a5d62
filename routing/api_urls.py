from django.urls import path

from routing.api import bases, children, duplicates, routes, runs

R = "base-playlists/<id:pk>/runs/<id:run_id>"

urlpatterns = [
    # Duplicates in the listener's playlists, their removal and its undo.
    path("library/duplicates/", duplicates.DuplicateListView.as_view(), name="api-library-duplicates"),
    path(
        "library/playlists/<id:pk>/remove-duplicates",
        duplicates.RemoveDuplicatesView.as_view(),
        name="api-library-playlist-remove-duplicates",
    ),
    path("duplicate-removals/<id:pk>/", duplicates.DuplicateRemovalView.as_view(), name="api-duplicate-removal"),
    path(
        "duplicate-removals/<id:pk>/undo",
        duplicates.DuplicateRemovalUndoView.as_view(),
        name="api-duplicate-removal-undo",
    ),
    # Routing. The action paths (order, route, route-status, preview, cancel, ...) have no trailing slash.
    path("base-playlists/", bases.BasePlaylistListView.as_view(), name="api-base-playlists"),
    path("base-playlists/<id:pk>/", bases.BasePlaylistDetailView.as_view(), name="api-base-playlist"),
    path(
        "base-playlists/<id:pk>/children/",
        children.BaseChildrenView.as_view(),
        name="api-base-playlist-children",
    ),
    path(
        "base-playlists/<id:pk>/children/order",
        children.ChildOrderView.as_view(),
        name="api-base-playlist-children-order",
    ),
    path("base-playlists/<id:pk>/route", routes.RouteView.as_view(), name="api-base-playlist-route"),
    path(
        "base-playlists/<id:pk>/route-status", routes.RouteStatusView.as_view(), name="api-base-playlist-route-status"
    ),
    path("base-playlists/<id:pk>/preview", routes.BasePreviewView.as_view(), name="api-base-playlist-preview"),
    path(
        "base-playlists/<id:pk>/metadata", routes.BaseMetadataView.as_view(), name="api-base-playlist-metadata"
    ),
    # A base's runs (routes and restores).
    path("base-playlists/<id:pk>/runs/", runs.RunListView.as_view(), name="api-base-playlist-runs"),
    path(f"{R}/", runs.RunDetailView.as_view(), name="api-route-run"),
    path(f"{R}/retry/", runs.RunRetryView.as_view(), name="api-route-run-retry"),
    path(f"{R}/cancel", runs.RunCancelView.as_view(), name="api-route-run-cancel"),
    path(f"{R}/confirm", runs.RunConfirmView.as_view(), name="api-route-run-confirm"),
    path(f"{R}/discard", runs.RunDiscardView.as_view(), name="api-route-run-discard"),
    path(f"{R}/restore", runs.RunRestoreView.as_view(), name="api-route-run-restore"),
    path(f"{R}/backups/", runs.RunBackupsView.as_view(), name="api-route-run-backups"),
    path("backups/<id:pk>", runs.BackupDetailView.as_view(), name="api-backup"),
    path("child-playlists/<id:pk>/", children.ChildDetailView.as_view(), name="api-child-playlist"),
    path("filter-fields/", children.FilterFieldsView.as_view(), name="api-filter-fields"),
    # Deprecated: the paths from before "sync" meant imports only (answered the same; run ids kept).
    path("base-playlists/<id:pk>/sync", routes.RouteViaSyncView.as_view(), name="api-base-playlist-sync"),
    path(
        "base-playlists/<id:pk>/sync-status",
        routes.RouteStatusViaSyncView.as_view(),
        name="api-base-playlist-sync-status",
    ),
    path("sync-events/<id:pk>/confirm", runs.OldConfirmView.as_view(), name="api-sync-event-confirm"),
    path("sync-events/<id:pk>/discard", runs.OldDiscardView.as_view(), name="api-sync-event-discard"),
    path("sync-events/<id:pk>/restore", runs.OldRestoreView.as_view(), name="api-sync-event-restore"),
    path("sync-events/<id:pk>/backups/", runs.OldBackupsView.as_view(), name="api-sync-event-backups"),
]
