"""DRF endpoints that start and follow routes of a base: route now, its status and estimate, a
preview of what a route would do, and how much of its artists' metadata the preview knows.
The runs themselves are routing.api.runs."""

from __future__ import annotations

import dataclasses

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from routing import selectors
from routing.api.common import NO_BASE, TAGS, valid
from routing.filters import FilterValidationError, describe_problems
from routing.serializers.runs import RouteRunSerializer, RouteStatusSerializer
from routing.serializers.setup import (
    ArtistCoverageSerializer,
    PreviewRequestSerializer,
    RoutePreviewSerializer,
)
from routing.services import triggers
from routing.services.preview import (
    estimate_route,
    draft_documents,
    preview_route,
)
from routing.services.why import why_track
from core.errors import about
from core.api_docs import ErrorSerializer, NOT_SIGNED_IN, THROTTLED
from routing.throttles import PreviewThrottle, RouteThrottle

ROUTE_RESPONSES = {
    202: OpenApiResponse(RouteRunSerializer, description="A new route was queued."),
    200: OpenApiResponse(RouteRunSerializer, description="A route was already queued or running."),
    401: NOT_SIGNED_IN,
    404: NO_BASE,
    409: OpenApiResponse(ErrorSerializer, description="No usable Spotify connection."),
    429: THROTTLED,
}


class RouteView(APIView):
    throttle_classes = [RouteThrottle]

    @extend_schema(
        operation_id="base_playlists_route",
        summary="Route this base into its children now",
        description=(
            "Queues a route and answers 202 with it. One route per base is queued or running at a "
            "time: if one already is, the answer is 200 with it. Follow it with "
            "GET /api/base-playlists/{id}/route-status or /api/base-playlists/{id}/runs/{run_id}/. "
            "Routes, their retries and restores count toward the listener's routes limit "
            "(THROTTLE_RATES, 30 an hour by default, over all bases): past it, 429 with Retry-After."
        ),
        request=None,
        responses=ROUTE_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        run, created = triggers.request_route(base=base, trigger=triggers.RouteTrigger.API)
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(RouteRunSerializer(run).data, status=code)


class RouteViaSyncView(RouteView):
    """The route trigger's path before routes had their own word ("sync" is imports only now)."""

    @extend_schema(
        operation_id="base_playlists_sync",
        summary="Deprecated: POST /api/base-playlists/{id}/route, which answers the same",
        request=None,
        responses=ROUTE_RESPONSES,
        tags=TAGS,
        deprecated=True,
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class RouteStatusView(APIView):
    @extend_schema(
        operation_id="base_playlists_route_status",
        summary="The base's active route, its last finished one, and how long the next should take",
        responses={200: RouteStatusSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        active, last = selectors.route_state(base=base)
        body = {"active": active, "last": last, "estimate": estimate_route(base=base)}
        return Response(RouteStatusSerializer(body).data)


class RouteStatusViaSyncView(RouteStatusView):
    @extend_schema(
        operation_id="base_playlists_sync_status",
        summary="Deprecated: GET /api/base-playlists/{id}/route-status, which answers the same",
        responses={200: RouteStatusSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
        deprecated=True,
    )
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)


class BasePreviewView(APIView):
    throttle_classes = [PreviewThrottle]

    @extend_schema(
        operation_id="base_playlists_preview",
        summary="What a route would do now, optionally with draft filters; nothing is written",
        description=(
            "Plans the route from the mirror as the last import left it. A draft (filters, with "
            "child: the child it replaces, or none for a new child) is applied to the plan only. "
            "read_children: false skips reading the children on Spotify (counts only: no Spotify "
            "request at all). Artists are never looked up here: the counts use the genres already "
            "known, `artists` says how many are pending, and their lookup is queued in the "
            "background (one per base at a time); GET /api/base-playlists/{id}/metadata follows it. "
            "With `track` (a name, or a Spotify link, URI or id), the answer's `track` explains per "
            "child whether a route would send that track and which condition decided; words naming "
            "nothing in the base answer 400 with a `track` message. "
            "Allowed while a route runs. Counts toward the listener's previews limit (THROTTLE_RATES, "
            "300 an hour by default)."
        ),
        request=PreviewRequestSerializer,
        responses={
            200: RoutePreviewSerializer,
            400: OpenApiResponse(
                description=(
                    "Invalid input: messages by field. Invalid draft filters: `filters` has the "
                    "messages by condition, as everywhere in the API, and `problems` lists the same "
                    "problems as [{path, message}], each message naming its condition in words "
                    "(\"Condition 1 (Genre): choose at least one genre.\"), as the pages word them."
                )
            ),
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(
                ErrorSerializer, description="No such base of yours, or child of this base."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="No usable Spotify connection, or the base cannot be read (gone, refused).",
            ),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Spotify's rate limit, or the listener's previews limit; Retry-After says when.",
            ),
            502: OpenApiResponse(ErrorSerializer, description="Spotify failed or is unreachable; detail says why."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        body = valid(PreviewRequestSerializer, request)
        try:
            # Before Spotify is asked for the children: a track that names nothing answers 400 at
            # once. It is explained with the preview's draft, so the two answers agree.
            track = None
            if "track" in body:
                drafts = draft_documents(base=base, draft_filters=body.get("filters"), draft_child_id=body.get("child"))
                track = why_track(base=base, query=body["track"], drafts=drafts)
            with about("mode"):  # a plain set-up refusal of a draft is about its mode
                preview = preview_route(
                    base=base,
                    read_children=body["read_children"],
                    draft_filters=body.get("filters"),
                    draft_child_id=body.get("child"),
                    draft_mode=body.get("mode"),
                )
        except FilterValidationError as exc:
            # The editor shows these sentences while the listener types; its Save words the
            # same refusal with the same function, so both read alike.
            problems = describe_problems(exc, document=body.get("filters"))
            return Response(
                {**exc.body(), "problems": [problem.to_dict() for problem in problems]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(RoutePreviewSerializer(dataclasses.replace(preview, track=track)).data)


class BaseMetadataView(APIView):
    @extend_schema(
        operation_id="base_playlists_metadata",
        summary="How much of the base's artists' metadata is known, and its background lookup",
        description=(
            "What the preview's genre counts can use: the base's artists, how many were never "
            "looked up on Spotify (pending) and how many Spotify does not know, with the state of "
            "the lookup a preview queued. Reads only; poll it after a preview that had pending "
            "artists and preview again once warm_up.active is false."
        ),
        responses={200: ArtistCoverageSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        return Response(ArtistCoverageSerializer(selectors.artist_coverage(base=base)).data)
