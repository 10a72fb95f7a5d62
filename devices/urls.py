from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    # Under /library/ as before the move: bookmarks and the nav link keep working.
    path("library/devices/", views.devices, name="devices"),
]
