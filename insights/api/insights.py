"""DRF endpoints of LLM-written insights: ask for one, regenerate it, read yours.

Asking twice for the same snapshot, type and tone is served from the stored insight (200, no
LLM call); a new one is queued (202) and followed by its task. Another user's snapshot or
insight answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from core.conditional import cached_page
from insights import selectors
from core.runs import RunStatus
from insights.models import GeneratedInsight
from insights.serializers.insights import (
    GeneratedInsightSerializer,
    GenerateInsightRequestSerializer,
    InsightFilterSerializer,
    InsightJobSerializer,
)
from insights.services import insight_writer
from insights.throttles import InsightThrottle

NOT_YOURS = OpenApiResponse(description="No such insight of yours (another user's are not found either).")
NO_PROVIDER = OpenApiResponse(description="No LLM provider is set up, so nothing can be written yet.")
QUEUED = OpenApiResponse(
    InsightJobSerializer,
    description="Queued (or already queued or running): follow `status_url`, or poll GET /api/insights/{id}.",
)


def _job_response(insight: GeneratedInsight) -> Response:
    """200 with a written insight; 202 with one on its way, its task and where to follow it."""
    if insight.status == RunStatus.SUCCEEDED:
        body = {"insight": insight, "task_id": None, "status_url": None}
        return Response(InsightJobSerializer(body).data, status=status.HTTP_200_OK)
    task_id = insight.task_id or None
    body = {
        "insight": insight,
        "task_id": task_id,
        "status_url": reverse("api-task", args=[task_id]) if task_id else None,
    }
    return Response(InsightJobSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class GenerateInsightView(APIView):
    throttle_classes = [InsightThrottle]

    @extend_schema(
        operation_id="insights_generate",
        summary="Have an insight written from one of your snapshots",
        description=(
            "The same snapshot, type and tone under the current prompt version is written once: "
            "asking again answers 200 with the stored insight and costs no LLM call (use "
            "POST /api/insights/{id}/regenerate for a new text). Otherwise 202: it is queued (a "
            "failed one is queued again), or was already queued or running."
        ),
        request=GenerateInsightRequestSerializer,
        responses={
            200: OpenApiResponse(InsightJobSerializer, description="Already written: the stored insight."),
            202: QUEUED,
            400: OpenApiResponse(description="Bad snapshot, type or tone (a message per field)."),
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(description="No such snapshot of yours."),
            409: NO_PROVIDER,
            429: THROTTLED,
        },
        tags=["insights"],
    )
    def post(self, request: Request) -> Response:
        asked = GenerateInsightRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        snapshot = selectors.own_snapshot(user=request.user, snapshot_id=asked.validated_data["snapshot"])
        if snapshot is None:
            raise Http404("No such snapshot of yours.")
        insight, _ = insight_writer.request_insight(
            user=request.user,
            snapshot=snapshot,
            kind=asked.validated_data["type"],
            tone=asked.validated_data["tone"],
        )
        insight.refresh_from_db()  # the task id is written once the task is enqueued, after commit
        return _job_response(insight)


class RegenerateInsightView(APIView):
    throttle_classes = [InsightThrottle]

    @extend_schema(
        operation_id="insights_regenerate",
        summary="Write one of your insights again",
        description=(
            "Queues the insight again; its task rewrites it in place and adds one to `generation`. "
            "One still queued or running is not queued twice: the answer is 202 with it. A written "
            "insight is not written again within INSIGHT_REGENERATE_COOLDOWN seconds (10 minutes by "
            "default) of its last writing; asking and regenerating share the listener's insights "
            "limit (THROTTLE_RATES, 30 an hour by default). Either answers 429 with Retry-After."
        ),
        request=None,
        responses={
            202: QUEUED,
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: NO_PROVIDER,
            429: OpenApiResponse(
                description="Written too recently (the cooldown), or the insights limit; Retry-After "
                "says when, detail in words."
            ),
        },
        tags=["insights"],
    )
    def post(self, request: Request, pk: int) -> Response:
        insight = _own_insight(request, pk)
        insight, _ = insight_writer.regenerate_insight(user=request.user, insight=insight)
        insight.refresh_from_db()
        response = _job_response(insight)
        response.status_code = status.HTTP_202_ACCEPTED  # accepted, even if a fast worker is done already
        return response


class InsightDetailView(APIView):
    @extend_schema(
        operation_id="insights_retrieve",
        summary="One of your insights: status, text, provider, model, tokens",
        responses={200: GeneratedInsightSerializer, 401: NOT_SIGNED_IN, 404: NOT_YOURS},
        tags=["insights"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(GeneratedInsightSerializer(_own_insight(request, pk)).data)


class InsightListView(generics.ListAPIView):
    serializer_class = GeneratedInsightSerializer

    @extend_schema(
        operation_id="insights_list",
        summary="Your insights, newest first",
        parameters=[InsightFilterSerializer],
        responses={
            200: GeneratedInsightSerializer(many=True),
            400: OpenApiResponse(description="Unknown type or tone, a bad snapshot id or page number."),
            401: NOT_SIGNED_IN,
        },
        tags=["insights"],
    )
    def get(self, request: Request, *args, **kwargs) -> HttpResponse:
        return cached_page(self, request)

    def get_queryset(self):
        filters = InsightFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        chosen = filters.validated_data
        return selectors.list_insights(
            user=self.request.user,
            kind=chosen.get("type"),
            tone=chosen.get("tone"),
            snapshot_id=chosen.get("snapshot"),
        )


def _own_insight(request: Request, pk: int) -> GeneratedInsight:
    insight = selectors.get_insight(user=request.user, insight_id=pk)
    if insight is None:
        raise Http404("No such insight of yours.")
    return insight
