"""What the routing API's views share: the answers they document and how input is checked.

Refusals are the services' domain errors, which carry their own answer (core.errors): the views
let them go to the one DRF exception handler. Another user's base or child is a 404, like a
missing one (routing.selectors.get_base / get_child).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from routing.serializers.setup import RoutingConflictSerializer
from core.api_docs import ErrorSerializer

TAGS = ["routing"]
NO_BASE = OpenApiResponse(ErrorSerializer, description="No such base playlist of yours.")
NO_CHILD = OpenApiResponse(ErrorSerializer, description="No such child playlist of yours.")
BUSY = OpenApiResponse(
    RoutingConflictSerializer,
    description="A route of this base is queued or running (active_event); nothing was changed.",
)
INVALID = OpenApiResponse(description="Invalid input: messages by field (filters: by condition).")
DELETED = OpenApiResponse(description="Deleted. Nothing on Spotify is touched.")


def valid(serializer_class: type, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
