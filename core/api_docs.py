"""What every app's API documents alike (drf-spectacular): the error body and the answers that
mean the same everywhere; and who may read the schema and its docs pages (API_DOCS_PUBLIC)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import BasePermission


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
NOT_STAFF = OpenApiResponse(description="Signed in, but not staff holding the model permission it needs.")
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Asked too often (a per-listener limit, THROTTLE_RATES): Retry-After says in how many "
    "seconds to come back, detail says it in words.",
)


class DocsAccess(BasePermission):
    """Who may read the OpenAPI schema and its docs pages (drf-spectacular's SERVE_PERMISSIONS):
    anyone when settings.API_DOCS_PUBLIC (the demo), else a signed-in caller (session or token).
    The schema lists every endpoint, staff ones too: a map a stranger has no use for. Read per
    request, so a test can change the setting."""

    def has_permission(self, request, view) -> bool:
        return bool(settings.API_DOCS_PUBLIC or (request.user and request.user.is_authenticated))


def docs_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs pages (Swagger UI, ReDoc) for a browser: a visitor who is not signed in is sent to
    sign in and back, as for any other page, instead of a bare 401 (DocsAccess gives the schema's)."""

    @wraps(view)
    def page(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return page
