from django.urls import path

from library import api, device_api

urlpatterns = [
    path("library/playlists/", api.PlaylistListView.as_view(), name="api-library-playlists"),
    path("library/playlists/<int:pk>/", api.PlaylistDetailView.as_view(), name="api-library-playlist"),
    # The device library (issue 7): paths without a trailing slash, as the contract names them.
    path("me/library/sync", device_api.LibrarySyncView.as_view(), name="api-me-library-sync"),
    path("me/library/changes", device_api.LibraryChangesView.as_view(), name="api-me-library-changes"),
    path("me/favorites", device_api.FavoritesView.as_view(), name="api-me-favorites"),
    path("me/history", device_api.HistoryView.as_view(), name="api-me-history"),
    path("me/queue", device_api.QueueView.as_view(), name="api-me-queue"),
    path("me/playlists", device_api.PlaylistsView.as_view(), name="api-me-playlists"),
    path("me/preferences", device_api.PreferencesView.as_view(), name="api-me-preferences"),
    path("me/recent-searches", device_api.RecentSearchesView.as_view(), name="api-me-recent-searches"),
    path("me/session/ping", device_api.SessionPingView.as_view(), name="api-me-session-ping"),
]
