"""GET /api/: the API's front door (its docs, its schema, its main collections), and
GET /api/tasks/{id}: how a background task the caller started is doing.

Only the caller's own tasks: another listener's, a system job's (no user) and an unknown id
all answer 404, so an id tells nothing about work that is not yours. In core, next to the
job records it reads: any app's task id (an import, an analysis batch...) is followed here.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from core import selectors
from core.models import JobRecord, JobStatus


class TaskStatusSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="task_id", help_text="Django-Q's task id, as other endpoints return it."
    )
    label = serializers.CharField(
        help_text='What the task does, for people: "Import", "Song analysis batch"...'
    )
    status = serializers.ChoiceField(choices=JobStatus.choices)
    enqueued_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.FloatField(
        allow_null=True, help_text="From start to finish; null until then."
    )
    result = serializers.CharField(allow_null=True, help_text="The task's own summary, once it succeeded.")
    error = serializers.CharField(allow_null=True, help_text="Why it failed, once it failed.")


def task_body(*, record: JobRecord) -> dict:
    succeeded = record.status == JobStatus.SUCCEEDED
    failed = record.status == JobStatus.FAILED
    return {
        "task_id": record.task_id,
        "label": record.label,
        "status": record.status,
        "enqueued_at": record.enqueued_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_seconds": record.duration_seconds,
        "result": record.result if succeeded else None,
        "error": selectors.error_message(record=record) if failed else None,
    }


class TaskView(APIView):
    @extend_schema(
        operation_id="tasks_retrieve",
        summary="A background task you started: its status, and its result or error",
        responses={
            200: TaskStatusSerializer,
            401: OpenApiResponse(description="Not signed in."),
            404: OpenApiResponse(description="No task of yours with this id."),
        },
        tags=["tasks"],
    )
    def get(self, request: Request, task_id: str) -> Response:
        record = selectors.get_task(user=request.user, task_id=task_id)
        if record is None:
            raise Http404
        return Response(TaskStatusSerializer(task_body(record=record)).data)


# Where a newcomer starts: collections a GET reads, by URL name (names, not imports: core
# imports no other app). The docs list everything else, the actions and the device library too.
ROOT_ENDPOINTS = {
    "me": "api-me",
    "api_tokens": "api-me-tokens",
    "playlists": "api-library-playlists",
    "sync_events": "api-sync-events",
    "base_playlists": "api-base-playlists",
    "filter_fields": "api-filter-fields",
    "listening_history": "api-history",
    "listening_snapshots": "api-listening-snapshots",
    "insights": "api-insights",
}


class ApiRootSerializer(serializers.Serializer):
    docs = serializers.URLField(help_text="Every endpoint, readable and tryable (Swagger UI).")
    redoc = serializers.URLField(help_text="The same, as one long page (ReDoc).")
    schema = serializers.URLField(help_text="The OpenAPI schema the docs are built from.")
    endpoints = serializers.DictField(
        child=serializers.URLField(), help_text="The main collections, by name."
    )


class ApiRootView(APIView):
    """/api/ answers with directions instead of a 404: a script (or a listener following the
    dashboard's link) finds the docs from here. Unknown paths under /api/ stay JSON 404s."""

    @extend_schema(
        operation_id="api_root",
        summary="Where to start: the docs, the schema and the main endpoints",
        responses={200: ApiRootSerializer, 401: OpenApiResponse(description="Not signed in.")},
        tags=["api"],
    )
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return reverse(name, request=request)

        body = {
            "docs": url("api-docs"),
            "redoc": url("api-redoc"),
            "schema": url("schema"),
            "endpoints": {key: url(name) for key, name in ROOT_ENDPOINTS.items()},
        }
        return Response(ApiRootSerializer(body).data)
