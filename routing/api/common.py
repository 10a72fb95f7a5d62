"""What the routing API's views share: the answers they document and how a refusal is answered.

The services decide; `refusal` maps their errors: PlaylistNotFound 404; BaseBusy 409 with
`active_event` (nothing changes while a route of the base is queued or running);
BaseAlreadyExists and ChildAlreadyAttached 409 with `existing`; SpotifyChildCreateFailed 502;
other set-up errors 400; FilterValidationError 400 under "filters". Another user's base or
child is a 404, like a missing one (routing.selectors.get_base / get_child).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from routing.filters import FilterValidationError
from routing.serializers.setup import RoutingConflictSerializer
from routing.services import setup, spotify_children
from routing.services.triggers import RouteTriggerError
from sync.serializers import ErrorSerializer

TAGS = ["routing"]
NOT_SIGNED_IN = OpenApiResponse(description="Not signed in.")
NO_BASE = OpenApiResponse(ErrorSerializer, description="No such base playlist of yours.")
NO_CHILD = OpenApiResponse(ErrorSerializer, description="No such child playlist of yours.")
BUSY = OpenApiResponse(
    RoutingConflictSerializer,
    description="A route of this base is queued or running (active_event); nothing was changed.",
)
INVALID = OpenApiResponse(description="Invalid input: messages by field (filters: by condition).")
DELETED = OpenApiResponse(description="Deleted. Nothing on Spotify is touched.")


def conflict(exc: RouteTriggerError) -> Response:
    """409 with the reason, and the run in the way (active_event) when that is why."""
    body = {"detail": str(exc)}
    if exc.active is not None:
        body["active_event"] = exc.active.pk
    return Response(body, status=status.HTTP_409_CONFLICT)


def valid(serializer_class: type, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def refusal(exc: Exception, *, field: str | None = None) -> Response:
    """The answer for a domain error. `field`: the request field a plain 400 is about, if one."""
    if isinstance(exc, FilterValidationError):
        return Response({"filters": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    message = str(exc)
    if isinstance(exc, spotify_children.SpotifyChildCreateFailed):
        return Response({"detail": message}, status=status.HTTP_502_BAD_GATEWAY)
    if isinstance(exc, setup.PlaylistNotFound):
        return Response({"detail": message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, setup.BaseBusy):
        return Response({"detail": message, "active_event": exc.active.pk}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, setup.BaseAlreadyExists | setup.ChildAlreadyAttached):
        return Response({"detail": message, "existing": exc.existing.pk}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, setup.PlaylistAlreadyRouted):
        return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, setup.ReplaceNotConfirmed):
        return Response({"replace_contents": [message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, setup.RoutingSetupError):
        return Response(
            {field: [message]} if field else {"detail": message}, status=status.HTTP_400_BAD_REQUEST
        )
    raise exc
