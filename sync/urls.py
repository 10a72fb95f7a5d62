from django.urls import path

from sync import views

app_name = "sync"

urlpatterns = [
    path("sync/import/", views.import_now, name="import-now"),
    path("sync/events/<int:pk>/retry/", views.retry, name="retry"),
    path("sync/events/<int:pk>/cancel/", views.cancel, name="cancel"),
]
