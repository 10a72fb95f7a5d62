"""DRF endpoints of sync runs: start an import, follow imports and routes, retry them. Always the
caller's own events. Routing set-up and starting routes: routing.api.bases."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from core.conditional import cached_page
from sync import selectors
from sync.models import SyncEvent
from sync.serializers import (
    ConflictSerializer,
    ImportRequestSerializer,
    SyncEventFilterSerializer,
    SyncEventSerializer,
)
from core import run_control
from sync.services import triggers
from sync.throttles import ImportThrottle

NOT_YOURS = OpenApiResponse(description="No such event of yours (another user's are not found either).")


def conflict(exc: triggers.RunRefused) -> Response:
    """409 with the reason, and the run in the way when that is why."""
    body = {"detail": str(exc)}
    if exc.active is not None:
        body["active_event"] = exc.active.pk
    return Response(body, status=status.HTTP_409_CONFLICT)


class ImportView(APIView):
    throttle_classes = [ImportThrottle]

    @extend_schema(
        operation_id="library_import_create",
        summary="Import your Spotify library now",
        description=(
            "Queues an import and answers 202 with it. Only one import per user is queued or "
            "running at a time: if one already is, nothing new starts and the answer is 200 with "
            "that import. Follow it with GET /api/sync-events/{id}/. Asking (here, by retrying, or "
            "with the page's Sync now) counts toward the listener's imports limit (THROTTLE_RATES, "
            "6 an hour by default): past it the answer is 429 with Retry-After."
        ),
        request=ImportRequestSerializer,
        responses={
            202: OpenApiResponse(SyncEventSerializer, description="A new import was queued."),
            200: OpenApiResponse(SyncEventSerializer, description="An import was already queued or running."),
            401: NOT_SIGNED_IN,
            409: OpenApiResponse(ConflictSerializer, description="No usable Spotify connection."),
            429: THROTTLED,
        },
        tags=["sync"],
    )
    def post(self, request: Request) -> Response:
        options = ImportRequestSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        event, created = triggers.request_import(
            user=request.user, trigger=triggers.Trigger.API, scope=options.validated_data.get("scope")
        )
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(SyncEventSerializer(event).data, status=code)


class SyncEventListView(generics.ListAPIView):
    serializer_class = SyncEventSerializer

    @extend_schema(
        operation_id="sync_events_list",
        summary="Your imports and routes, newest first",
        parameters=[SyncEventFilterSerializer],
        responses={
            200: SyncEventSerializer(many=True),
            400: OpenApiResponse(description="Unknown kind or status, or a bad page number."),
            401: NOT_SIGNED_IN,
        },
        tags=["sync"],
    )
    def get(self, request: Request, *args, **kwargs) -> HttpResponse:
        now = timezone.now()

        def paused(rows: list[dict]) -> list[bool]:
            # The summary reads the clock: "paused until …" while resume_at is ahead.
            return [bool(row["resume_at"] and row["resume_at"] > now) for row in rows]

        return cached_page(self, request, also=paused)

    def get_queryset(self):
        filters = SyncEventFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.list_sync_events(user=self.request.user, **filters.validated_data)


class SyncEventDetailView(APIView):
    @extend_schema(
        operation_id="sync_events_retrieve",
        summary="One of your imports: status, progress, counters, error",
        responses={200: SyncEventSerializer, 401: NOT_SIGNED_IN, 404: NOT_YOURS},
        tags=["sync"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(SyncEventSerializer(_own_event(request, pk)).data)


class SyncEventRetryView(APIView):
    throttle_classes = [ImportThrottle]  # a retry starts an import

    @extend_schema(
        operation_id="sync_events_retry",
        summary="Retry a failed or cancelled import or route",
        description=(
            "A new run of the same kind with retry_of set to this one; it continues where this one "
            "stopped (a route reads every child again and writes only what is still missing)."
        ),
        request=None,
        responses={
            201: OpenApiResponse(SyncEventSerializer, description="The new import or route, queued."),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(
                ConflictSerializer,
                description=(
                    "Not failed or cancelled, already retried, another import (or a route of "
                    "the same base) active, or no Spotify connection."
                ),
            ),
            429: THROTTLED,
        },
        tags=["sync"],
    )
    def post(self, request: Request, pk: int) -> Response:
        event = _own_event(request, pk)
        retry = triggers.retry_import(event=event)
        return Response(SyncEventSerializer(retry).data, status=status.HTTP_201_CREATED)


class SyncEventCancelView(APIView):
    @extend_schema(
        operation_id="sync_events_cancel",
        summary="Cancel a queued or postponed import, route or restore (or a route waiting for you)",
        description=(
            "Ends it as cancelled at once, before it writes anything: a route's base is free for edits "
            "and new routes again, and a run postponed by Spotify's rate limit does not resume. A "
            "running one cannot be cancelled."
        ),
        request=None,
        responses={
            200: OpenApiResponse(SyncEventSerializer, description="Cancelled."),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(ConflictSerializer, description="Running or finished: nothing to cancel."),
        },
        tags=["sync"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return _control(request, pk, action=run_control.cancel_run, success=status.HTTP_200_OK)


def _control(request: Request, pk: int, *, action, success: int) -> Response:
    """Cancel, confirm or discard one of the caller's runs: the run as it is after, or 409 why not."""
    event = action(run=_own_event(request, pk))
    return Response(SyncEventSerializer(event).data, status=success)


def _own_event(request: Request, pk: int) -> SyncEvent:
    event = selectors.get_sync_event(user=request.user, event_id=pk)
    if event is None:
        raise Http404
    return event
