from django.urls import path

from routing.views import bases, children, duplicates, runs, why

app_name = "routing"

# Smart playlists: bases, their children and filters, route runs.
urlpatterns = [
    path("routing/", bases.index, name="index"),
    path("routing/bases/new/", bases.create_base, name="create-base"),
    path("routing/<int:pk>/", bases.base_detail, name="base"),
    path("routing/<int:pk>/options/", bases.base_options, name="base-options"),
    path("routing/<int:pk>/route/", bases.base_route, name="base-route"),
    path("routing/<int:pk>/delete/", bases.base_delete, name="base-delete"),
    path("routing/<int:pk>/children/new/", bases.child_add, name="child-add"),
    path("routing/<int:pk>/why/", why.why, name="why"),
    path("routing/children/<int:pk>/", children.child_edit, name="child"),
    path("routing/children/<int:pk>/move/", children.child_move, name="child-move"),
    path("routing/children/<int:pk>/delete/", children.child_delete, name="child-delete"),
    path("routing/runs/<int:pk>/retry/", runs.route_retry, name="retry"),
    path("routing/runs/<int:pk>/cancel/", runs.cancel, name="cancel"),
    path("routing/runs/<int:pk>/confirm/", runs.confirm, name="confirm"),
    path("routing/runs/<int:pk>/discard/", runs.discard, name="discard"),
    path("routing/runs/<int:pk>/restore/", runs.restore, name="restore"),
    # Duplicates in the listener's playlists, and their removal from the playlists they own.
    path("library/duplicates/", duplicates.duplicates, name="duplicates"),
    path("library/duplicates/<int:pk>/remove/", duplicates.remove, name="duplicates-remove"),
    path("library/duplicates/runs/<int:pk>/undo/", duplicates.undo, name="duplicates-undo"),
]
