from django.urls import path

from sync import routing_child_views, routing_run_views, routing_views, views

app_name = "sync"

urlpatterns = [
    path("sync/import/", views.import_now, name="import-now"),
    path("sync/events/<int:pk>/retry/", views.retry, name="retry"),
    path("sync/events/<int:pk>/cancel/", views.cancel, name="cancel"),
    # Smart playlists: bases, their children and filters, route runs.
    path("routing/", routing_views.index, name="routing"),
    path("routing/bases/new/", routing_views.create_base, name="routing-create-base"),
    path("routing/<int:pk>/", routing_views.base_detail, name="routing-base"),
    path("routing/<int:pk>/options/", routing_views.base_options, name="routing-base-options"),
    path("routing/<int:pk>/sync/", routing_views.base_sync, name="routing-base-sync"),
    path("routing/<int:pk>/delete/", routing_views.base_delete, name="routing-base-delete"),
    path("routing/<int:pk>/children/new/", routing_views.child_add, name="routing-child-add"),
    path("routing/children/<int:pk>/", routing_child_views.child_edit, name="routing-child"),
    path("routing/children/<int:pk>/move/", routing_child_views.child_move, name="routing-child-move"),
    path("routing/children/<int:pk>/delete/", routing_child_views.child_delete, name="routing-child-delete"),
    path("routing/runs/<int:pk>/retry/", routing_views.route_retry, name="routing-retry"),
    path("routing/runs/<int:pk>/confirm/", routing_run_views.confirm, name="routing-confirm"),
    path("routing/runs/<int:pk>/discard/", routing_run_views.discard, name="routing-discard"),
    path("routing/runs/<int:pk>/restore/", routing_run_views.restore, name="routing-restore"),
]
