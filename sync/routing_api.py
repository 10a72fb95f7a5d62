"""DRF endpoints of routing: bases, their children, route runs, previews, the filter fields.

The services decide; `_refusal` maps their errors: PlaylistNotFound 404; BaseBusy 409 with
`active_event` (nothing changes while a route of the base is queued or running);
BaseAlreadyExists and ChildAlreadyAttached 409 with `existing`; SpotifyChildCreateFailed 502;
other set-up errors 400; FilterValidationError 400 under "filters". Another user's base or
child is a 404, like a missing one.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library import selectors as library_selectors
from sync import selectors
from sync.filters import FilterValidationError, describe_fields
from sync.models import BasePlaylist, ChildPlaylist
from sync.routing_serializers import (
    BaseCreateSerializer,
    BasePlaylistSerializer,
    BaseUpdateSerializer,
    ChildCreateSerializer,
    ChildOrderSerializer,
    ChildPlaylistSerializer,
    ChildUpdateSerializer,
    FilterFieldsSerializer,
    PreviewRequestSerializer,
    RoutePreviewSerializer,
    RoutingConflictSerializer,
    SyncStatusSerializer,
)
from sync.serializers import ErrorSerializer, SyncEventSerializer
from sync.services import route_triggers, routing_setup, spotify_children
from sync.services.preview import (
    PreviewFailed,
    PreviewNotConnected,
    PreviewNotPossible,
    PreviewRateLimited,
    estimate_route,
    preview_route,
)

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


# --- bases --------------------------------------------------------------------------------------
class BasePlaylistListView(generics.ListAPIView):
    serializer_class = BasePlaylistSerializer

    @extend_schema(
        operation_id="base_playlists_list",
        summary="Your base playlists, with their children and route state",
        responses={200: BasePlaylistSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=TAGS,
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[BasePlaylist]:
        return selectors.list_base_playlists_with_state(user=self.request.user)

    @extend_schema(
        operation_id="base_playlists_create",
        summary="Make one of your imported playlists a base",
        request=BaseCreateSerializer,
        responses={
            201: BasePlaylistSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(ErrorSerializer, description="No such playlist in your library."),
            409: OpenApiResponse(RoutingConflictSerializer, description="Already a base (existing)."),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = _valid(BaseCreateSerializer, request)
        playlist = library_selectors.get_playlist(user=request.user, playlist_id=body.pop("playlist"))
        if playlist is None:
            raise Http404
        try:
            base = routing_setup.create_base_playlist(user=request.user, playlist=playlist, **body)
        except routing_setup.RoutingSetupError as exc:
            return _refusal(exc, field="playlist")
        return Response(_base_body(request, base.pk), status=status.HTTP_201_CREATED)


class BasePlaylistDetailView(APIView):
    @extend_schema(
        operation_id="base_playlists_retrieve",
        summary="One of your bases, with its children and route state",
        responses={200: BasePlaylistSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_base_body(request, pk))

    @extend_schema(
        operation_id="base_playlists_partial_update",
        summary="Change a base's options",
        request=BaseUpdateSerializer,
        responses={200: BasePlaylistSerializer, 400: INVALID, 401: NOT_SIGNED_IN, 404: NO_BASE, 409: BUSY},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        body = _valid(BaseUpdateSerializer, request)
        try:
            routing_setup.update_base_options(base=base, **body)
        except routing_setup.RoutingSetupError as exc:
            return _refusal(exc)
        return Response(_base_body(request, pk))

    @extend_schema(
        operation_id="base_playlists_destroy",
        summary="Stop routing this playlist (its children links and route history go)",
        responses={204: DELETED, 401: NOT_SIGNED_IN, 404: NO_BASE, 409: BUSY},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        try:
            routing_setup.delete_base(base=_own_base(request, pk))
        except routing_setup.RoutingSetupError as exc:
            return _refusal(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- children -----------------------------------------------------------------------------------
class BaseChildrenView(APIView):
    @extend_schema(
        operation_id="base_playlists_children_list",
        summary="A base's children, in routing order",
        responses={200: ChildPlaylistSerializer(many=True), 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        children = selectors.list_child_playlists(base=_own_base(request, pk))
        return Response(ChildPlaylistSerializer(children, many=True).data)

    @extend_schema(
        operation_id="base_playlists_children_create",
        summary="Add a child: attach a playlist you own, or create a new one on Spotify",
        description=(
            "With spotify_id, that playlist (one you own) becomes the base's last child: add-only "
            "unless it is empty, or rebuild with replace_contents: true. A playlist is the child of "
            "one base at most and never a base itself. With create: true, a new private playlist "
            "(public: true for a public one) is made on Spotify first (rebuild by default). Filters "
            "are checked in this server's Spotify app mode."
        ),
        request=ChildCreateSerializer,
        responses={
            201: ChildPlaylistSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: NO_BASE,
            409: OpenApiResponse(
                RoutingConflictSerializer,
                description=(
                    "Already a child of this base (existing), a base or another base's child, or a "
                    "route is queued, running or waiting for confirmation (active_event)."
                ),
            ),
            502: OpenApiResponse(ErrorSerializer, description="Spotify did not make the new playlist."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        body = _valid(ChildCreateSerializer, request)
        fields = {"name": body["name"], "mode": body.get("mode"), "filters": body["filters"]}
        try:
            if body["create"]:
                child = spotify_children.create_child_on_spotify(base=base, public=body["public"], **fields)
            else:
                child = routing_setup.add_child_playlist(
                    base=base,
                    spotify_id=body["spotify_id"],
                    replace_contents=body["replace_contents"],
                    **fields,
                )
        except (routing_setup.RoutingSetupError, FilterValidationError) as exc:
            # A refused new playlist is about its name; a refused attachment, about the playlist.
            return _refusal(exc, field="name" if body["create"] else "spotify_id")
        return Response(ChildPlaylistSerializer(child).data, status=status.HTTP_201_CREATED)


class ChildOrderView(APIView):
    @extend_schema(
        operation_id="base_playlists_children_order",
        summary="Put a base's children in a new order",
        description="With first_match_only, each track goes to the first child in this order it matches.",
        request=ChildOrderSerializer,
        responses={
            200: ChildPlaylistSerializer(many=True),
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: NO_BASE,
            409: BUSY,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        body = _valid(ChildOrderSerializer, request)
        try:
            children = routing_setup.reorder_children(base=base, child_ids=body["children"])
        except routing_setup.RoutingSetupError as exc:
            return _refusal(exc, field="children")
        return Response(ChildPlaylistSerializer(children, many=True).data)


class ChildDetailView(APIView):
    @extend_schema(
        operation_id="child_playlists_retrieve",
        summary="One of your child playlists",
        responses={200: ChildPlaylistSerializer, 401: NOT_SIGNED_IN, 404: NO_CHILD},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChildPlaylistSerializer(_own_child(request, pk)).data)

    @extend_schema(
        operation_id="child_playlists_partial_update",
        summary="Change a child's name, mode or filters",
        request=ChildUpdateSerializer,
        responses={200: ChildPlaylistSerializer, 400: INVALID, 401: NOT_SIGNED_IN, 404: NO_CHILD, 409: BUSY},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        child = _own_child(request, pk)
        body = _valid(ChildUpdateSerializer, request)
        try:
            child = routing_setup.update_child(child=child, **body)
        except (routing_setup.RoutingSetupError, FilterValidationError) as exc:
            return _refusal(exc)
        return Response(ChildPlaylistSerializer(child).data)

    @extend_schema(
        operation_id="child_playlists_destroy",
        summary="Detach a child (the Spotify playlist itself is left as it is)",
        responses={204: DELETED, 401: NOT_SIGNED_IN, 404: NO_CHILD, 409: BUSY},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        try:
            routing_setup.delete_child(child=_own_child(request, pk))
        except routing_setup.RoutingSetupError as exc:
            return _refusal(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- route runs ---------------------------------------------------------------------------------
class BaseSyncView(APIView):
    @extend_schema(
        operation_id="base_playlists_sync",
        summary="Route this base into its children now",
        description=(
            "Queues a route and answers 202 with it. One route per base is queued or running at a "
            "time: if one already is, the answer is 200 with it. Follow it with "
            "GET /api/base-playlists/{id}/sync-status or /api/sync-events/{id}/."
        ),
        request=None,
        responses={
            202: OpenApiResponse(SyncEventSerializer, description="A new route was queued."),
            200: OpenApiResponse(SyncEventSerializer, description="A route was already queued or running."),
            401: NOT_SIGNED_IN,
            404: NO_BASE,
            409: OpenApiResponse(ErrorSerializer, description="No usable Spotify connection."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        try:
            event, created = route_triggers.request_route(base=base, trigger=route_triggers.RouteTrigger.API)
        except route_triggers.RouteTriggerError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except routing_setup.PlaylistNotFound:  # deleted meanwhile
            raise Http404 from None
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(SyncEventSerializer(event).data, status=code)


class BaseSyncStatusView(APIView):
    @extend_schema(
        operation_id="base_playlists_sync_status",
        summary="The base's active route, its last finished one, and how long the next should take",
        responses={200: SyncStatusSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        active, last = selectors.route_state(base=base)
        body = {"active": active, "last": last, "estimate": estimate_route(base=base)}
        return Response(SyncStatusSerializer(body).data)


class BasePreviewView(APIView):
    @extend_schema(
        operation_id="base_playlists_preview",
        summary="What a route would do now, optionally with draft filters; nothing is written",
        description=(
            "Plans the route from the mirror as the last import left it. A draft (filters, with "
            "child: the child it replaces, or none for a new child) is applied to the plan only. "
            "read_children: false skips reading the children on Spotify (counts only). Allowed "
            "while a route runs."
        ),
        request=PreviewRequestSerializer,
        responses={
            200: RoutePreviewSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(
                ErrorSerializer, description="No such base of yours, or child of this base."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="No usable Spotify connection, or the base cannot be read (gone, refused).",
            ),
            429: OpenApiResponse(ErrorSerializer, description="Spotify's rate limit; Retry-After says when."),
            502: OpenApiResponse(ErrorSerializer, description="Spotify failed or is unreachable; detail says why."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = _own_base(request, pk)
        body = _valid(PreviewRequestSerializer, request)
        try:
            preview = preview_route(
                base=base,
                read_children=body["read_children"],
                draft_filters=body.get("filters"),
                draft_child_id=body.get("child"),
                draft_mode=body.get("mode"),
            )
        except (PreviewNotConnected, PreviewNotPossible) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except PreviewRateLimited as exc:
            return Response(
                {"detail": str(exc)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except PreviewFailed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
        except (routing_setup.RoutingSetupError, FilterValidationError) as exc:
            return _refusal(exc, field="mode")
        return Response(RoutePreviewSerializer(preview).data)


# --- the filter fields --------------------------------------------------------------------------
class FilterFieldsView(APIView):
    @extend_schema(
        operation_id="filter_fields_list",
        summary="The fields a child's filters may use on this server",
        description="Depends on the server's Spotify app mode: Development mode offers no popularity.",
        responses={200: FilterFieldsSerializer, 401: NOT_SIGNED_IN},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        mode = settings.SPOTIFY_APP_MODE
        return Response(FilterFieldsSerializer({"mode": mode, "fields": describe_fields(mode=mode)}).data)


# --- internals ----------------------------------------------------------------------------------
def _own_base(request: Request, pk: int) -> BasePlaylist:
    base = selectors.get_base_playlist(user=request.user, base_id=pk)
    if base is None:
        raise Http404
    return base


def _own_child(request: Request, pk: int) -> ChildPlaylist:
    child = selectors.get_child_playlist(user=request.user, child_id=pk)
    if child is None:
        raise Http404
    return child


def _base_body(request: Request, pk: int) -> dict:
    base = _own_base(request, pk)
    return BasePlaylistSerializer(selectors.load_route_state(base=base)).data


def _valid(serializer_class: type, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _refusal(exc: Exception, *, field: str | None = None) -> Response:
    """The answer for a domain error. `field`: the request field a plain 400 is about, if one."""
    if isinstance(exc, FilterValidationError):
        return Response({"filters": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
    message = str(exc)
    if isinstance(exc, spotify_children.SpotifyChildCreateFailed):
        return Response({"detail": message}, status=status.HTTP_502_BAD_GATEWAY)
    if isinstance(exc, routing_setup.PlaylistNotFound):
        return Response({"detail": message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, routing_setup.BaseBusy):
        return Response({"detail": message, "active_event": exc.active.pk}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, routing_setup.BaseAlreadyExists | routing_setup.ChildAlreadyAttached):
        return Response({"detail": message, "existing": exc.existing.pk}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, routing_setup.PlaylistAlreadyRouted):
        return Response({"detail": message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, routing_setup.ReplaceNotConfirmed):
        return Response({"replace_contents": [message]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, routing_setup.RoutingSetupError):
        return Response(
            {field: [message]} if field else {"detail": message}, status=status.HTTP_400_BAD_REQUEST
        )
    raise exc
