from django.urls import path

from devices import api

# Paths without a trailing slash, as the device clients' contract names them.
urlpatterns = [
    path("me/library/sync", api.LibrarySyncView.as_view(), name="api-me-library-sync"),
    path("me/library/changes", api.LibraryChangesView.as_view(), name="api-me-library-changes"),
    path("me/favorites", api.FavoritesView.as_view(), name="api-me-favorites"),
    path("me/history", api.HistoryView.as_view(), name="api-me-history"),
    path("me/queue", api.QueueView.as_view(), name="api-me-queue"),
    path("me/playlists", api.PlaylistsView.as_view(), name="api-me-playlists"),
    path("me/preferences", api.PreferencesView.as_view(), name="api-me-preferences"),
    path("me/recent-searches", api.RecentSearchesView.as_view(), name="api-me-recent-searches"),
    path("me/session/ping", api.SessionPingView.as_view(), name="api-me-session-ping"),
]
