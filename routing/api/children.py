"""DRF endpoints of a base's children (attach or create, order, change, detach) and of the
fields their filters may use."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from routing import selectors
from routing.api.common import BUSY, DELETED, INVALID, NO_BASE, NO_CHILD, TAGS, valid
from routing.filters import describe_fields
from routing.serializers.setup import (
    ChildCreateSerializer,
    ChildOrderSerializer,
    ChildPlaylistSerializer,
    ChildUpdateSerializer,
    FilterFieldsSerializer,
    RoutingConflictSerializer,
)
from routing.services import setup, spotify_children
from core.errors import about
from core.api_docs import ErrorSerializer, NOT_SIGNED_IN


class BaseChildrenView(APIView):
    @extend_schema(
        operation_id="base_playlists_children_list",
        summary="A base's children, in routing order",
        responses={200: ChildPlaylistSerializer(many=True), 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        children = selectors.list_child_playlists(base=selectors.get_base(user=request.user, pk=pk))
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
        base = selectors.get_base(user=request.user, pk=pk)
        body = valid(ChildCreateSerializer, request)
        fields = {"name": body["name"], "mode": body.get("mode"), "filters": body["filters"]}
        with about("name" if body["create"] else "spotify_id"):
            if body["create"]:
                child = spotify_children.create_child_on_spotify(base=base, public=body["public"], **fields)
            else:
                child = setup.add_child_playlist(
                    base=base,
                    spotify_id=body["spotify_id"],
                    replace_contents=body["replace_contents"],
                    **fields,
                )
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
        base = selectors.get_base(user=request.user, pk=pk)
        body = valid(ChildOrderSerializer, request)
        with about("children"):
            children = setup.reorder_children(base=base, child_ids=body["children"])
        return Response(ChildPlaylistSerializer(children, many=True).data)


class ChildDetailView(APIView):
    @extend_schema(
        operation_id="child_playlists_retrieve",
        summary="One of your child playlists",
        responses={200: ChildPlaylistSerializer, 401: NOT_SIGNED_IN, 404: NO_CHILD},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ChildPlaylistSerializer(selectors.get_child(user=request.user, pk=pk)).data)

    @extend_schema(
        operation_id="child_playlists_partial_update",
        summary="Change a child's name, mode or filters",
        request=ChildUpdateSerializer,
        responses={200: ChildPlaylistSerializer, 400: INVALID, 401: NOT_SIGNED_IN, 404: NO_CHILD, 409: BUSY},
        tags=TAGS,
    )
    def patch(self, request: Request, pk: int) -> Response:
        child = selectors.get_child(user=request.user, pk=pk)
        body = valid(ChildUpdateSerializer, request)
        child = setup.update_child(child=child, **body)
        return Response(ChildPlaylistSerializer(child).data)

    @extend_schema(
        operation_id="child_playlists_destroy",
        summary="Detach a child (the Spotify playlist itself is left as it is)",
        responses={204: DELETED, 401: NOT_SIGNED_IN, 404: NO_CHILD, 409: BUSY},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        setup.delete_child(child=selectors.get_child(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)



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


