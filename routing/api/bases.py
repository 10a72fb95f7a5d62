"""DRF endpoints of routing's bases: list, create, read, change options, delete."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from library import selectors as library_selectors
from routing import selectors
from routing.api.common import BUSY, DELETED, INVALID, NO_BASE, TAGS, valid
from routing.models import BasePlaylist
from routing.serializers.setup import (
    BaseCreateSerializer,
    BasePlaylistSerializer,
    BaseUpdateSerializer,
    RoutingConflictSerializer,
)
from routing.services import setup
from core.errors import about
from core.api_docs import ErrorSerializer, NOT_SIGNED_IN


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
        body = valid(BaseCreateSerializer, request)
        playlist = library_selectors.get_playlist(user=request.user, playlist_id=body.pop("playlist"))
        if playlist is None:
            raise Http404
        with about("playlist"):
            base = setup.create_base_playlist(user=request.user, playlist=playlist, **body)
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
        base = selectors.get_base(user=request.user, pk=pk)
        body = valid(BaseUpdateSerializer, request)
        setup.update_base_options(base=base, **body)
        return Response(_base_body(request, pk))

    @extend_schema(
        operation_id="base_playlists_destroy",
        summary="Stop routing this playlist (its children links and route history go)",
        responses={204: DELETED, 401: NOT_SIGNED_IN, 404: NO_BASE, 409: BUSY},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        setup.delete_base(base=selectors.get_base(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)



def _base_body(request: Request, pk: int) -> dict:
    base = selectors.get_base(user=request.user, pk=pk)
    return BasePlaylistSerializer(selectors.load_route_state(base=base)).data
