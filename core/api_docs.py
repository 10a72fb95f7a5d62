"""What every app's API documents alike (drf-spectacular): the error body and the answers that
mean the same everywhere."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
NOT_STAFF = OpenApiResponse(description="Signed in, but not staff holding the model permission it needs.")
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="Asked too often (a per-listener limit, THROTTLE_RATES): Retry-After says in how many "
    "seconds to come back, detail says it in words.",
)
