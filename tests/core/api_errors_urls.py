"""The project's URLs plus views that fail, for tests/core/test_api_errors.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/failing", fail),
    path("failing-page", fail),
    *project_urlpatterns,
]
