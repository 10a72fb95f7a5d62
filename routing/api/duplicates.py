"""DRF endpoints of duplicates: list them by playlist, remove the confirmed ones from a playlist
you own (queued: 202 with the run), a removal's status, and its undo."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import get_credential
from core.api_docs import NOT_SIGNED_IN, THROTTLED, ErrorSerializer
from library import selectors as library_selectors
from routing import selectors
from routing.api.common import valid
from routing.serializers.duplicates import (
    DuplicateRemovalSerializer,
    PlaylistDuplicatesSerializer,
    RemoveDuplicatesSerializer,
)
from routing.services import restore
from routing.services.dedupe import request_dedupe
from routing.services.triggers import RouteTrigger
from routing.throttles import RouteThrottle

TAGS = ["duplicates"]
NO_PLAYLIST = OpenApiResponse(ErrorSerializer, description="No such playlist of yours.")
NO_RUN = OpenApiResponse(ErrorSerializer, description="No such duplicate removal or undo of yours.")
REFUSED = OpenApiResponse(
    ErrorSerializer,
    description="Not now: a playlist you do not own, Spotify not connected, or a removal of it under way.",
)


def _spotify_user_id(request: Request) -> str:
    credential = get_credential(user=request.user)
    return credential.spotify_user_id if credential else ""


class DuplicateListView(APIView):
    @extend_schema(
        operation_id="library_duplicates_list",
        summary="Your playlists that repeat a track or share tracks with others, in Spotify's order",
        description="Duplicates are the same track id, or the same ISRC (one recording, another release).",
        responses={200: PlaylistDuplicatesSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        found = library_selectors.list_duplicates(user=request.user, spotify_user_id=_spotify_user_id(request))
        return Response(PlaylistDuplicatesSerializer(found, many=True).data)


class RemoveDuplicatesView(APIView):
    throttle_classes = [RouteThrottle]  # it writes to Spotify like a route

    @extend_schema(
        operation_id="library_playlists_remove_duplicates",
        summary="Remove the confirmed later copies from a playlist you own (queued)",
        description=(
            "The run reads the playlist from Spotify again and removes nothing if it is no longer "
            "the version reviewed (snapshot_id). It backs the playlist up first: undo it with "
            "/api/duplicate-removals/{id}/undo."
        ),
        request=RemoveDuplicatesSerializer,
        responses={
            202: OpenApiResponse(DuplicateRemovalSerializer, description="The removal, queued."),
            400: OpenApiResponse(description="Positions that are not later copies, or an old snapshot_id."),
            401: NOT_SIGNED_IN,
            404: NO_PLAYLIST,
            409: REFUSED,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        playlist = library_selectors.get_playlist(user=request.user, playlist_id=pk)
        if playlist is None:
            raise Http404
        data = valid(RemoveDuplicatesSerializer, request)
        event = request_dedupe(
            user=request.user,
            playlist=playlist,
            positions=data["positions"],
            snapshot_id=data["snapshot_id"],
            trigger=RouteTrigger.API,
        )
        return Response(DuplicateRemovalSerializer(event).data, status=status.HTTP_202_ACCEPTED)


class DuplicateRemovalView(APIView):
    @extend_schema(
        operation_id="duplicate_removals_retrieve",
        summary="One duplicate removal or undo: its status, what it removes, what it wrote",
        responses={200: DuplicateRemovalSerializer, 401: NOT_SIGNED_IN, 404: NO_RUN},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(DuplicateRemovalSerializer(selectors.get_playlist_run(user=request.user, pk=pk)).data)


class DuplicateRemovalUndoView(APIView):
    throttle_classes = [RouteThrottle]

    @extend_schema(
        operation_id="duplicate_removals_undo",
        summary="Put the playlist back to its backup from before this run (queued)",
        request=None,
        responses={
            202: OpenApiResponse(DuplicateRemovalSerializer, description="The undo, queued."),
            401: NOT_SIGNED_IN,
            404: NO_RUN,
            409: REFUSED,
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        run = selectors.get_playlist_run(user=request.user, pk=pk)
        queued = restore.request_restore(event=run, trigger=RouteTrigger.API)
        return Response(DuplicateRemovalSerializer(queued).data, status=status.HTTP_202_ACCEPTED)
