"""The listening API: ask for today's snapshots, and read yours back page by page."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from core.errors import DomainError
from core.runs import RunStatus
from insights import selectors
from insights.serializers.snapshots import (
    IngestQueuedSerializer,
    ListeningSnapshotSerializer,
    SnapshotFilterSerializer,
)
from insights.services.ingests import request_ingest
from insights.throttles import IngestThrottle


class IngestNotQueued(DomainError):
    """The task broker did not take the ingest (503): nothing was queued; ask again later."""

    status = 503


class ListeningIngestView(APIView):
    throttle_classes = [IngestThrottle]

    @extend_schema(
        operation_id="listening_ingest",
        summary="Queue today's listening snapshots (short, medium and long term) for you",
        description="Reading Spotify happens in the background; running it again the same day "
        "updates the day's snapshots instead of adding more. One ingest is queued or running per "
        "listener: asking again meanwhile answers with that one (`already_queued`: true).",
        request=None,
        responses={
            202: IngestQueuedSerializer,
            401: NOT_SIGNED_IN,
            409: OpenApiResponse(description="Spotify is not connected, or its access was revoked."),
            503: OpenApiResponse(description="The task queue did not take the ingest; nothing was queued."),
            429: THROTTLED,
        },
        tags=["listening"],
    )
    def post(self, request: Request) -> Response:
        ingest, created = request_ingest(user=request.user)
        if ingest.status == RunStatus.FAILED:  # the broker refused it: nothing will run
            raise IngestNotQueued(ingest.error)
        body = {
            "ingest_id": ingest.pk,
            "status": ingest.status,
            "already_queued": not created,
            "task_id": ingest.task_id,
            "status_url": reverse("api-task", args=[ingest.task_id]) if ingest.task_id else "",
        }
        return Response(IngestQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class SnapshotCursorPagination(CursorPagination):
    # Unique per user: at most one row per (day, range), so the cursor never skips one.
    ordering = ("-snapshot_date", "time_range")
    page_size = 30


class ListeningSnapshotsView(ListAPIView):
    serializer_class = ListeningSnapshotSerializer
    pagination_class = SnapshotCursorPagination

    @extend_schema(
        operation_id="listening_snapshots_list",
        summary="Your listening snapshots, newest day first",
        parameters=[SnapshotFilterSerializer],
        responses={
            200: ListeningSnapshotSerializer(many=True),
            400: OpenApiResponse(description="A bad filter: the body names the field and why."),
            401: NOT_SIGNED_IN,
        },
        tags=["listening"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # A bad filter raises ValidationError: a 400 whose body names the field.
        filters = SnapshotFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.snapshots_of(user=self.request.user, **filters.validated_data)
