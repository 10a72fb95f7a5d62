"""The history import API: upload Spotify's privacy export, then follow its import.

POST /api/history/imports/ (multipart, `file`), GET /api/history/imports/ and
GET /api/history/imports/{id}: another listener's import is 404, like one that does not exist.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from insights import selectors
from insights.serializers.history_imports import HistoryImportSerializer, HistoryImportUploadSerializer
from insights.services.history_import import request_history_import
from insights.throttles import HistoryUploadThrottle


class HistoryImportListView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [HistoryUploadThrottle]  # counts uploads only (reads are never throttled)

    @extend_schema(
        operation_id="history_imports_list",
        summary="Your latest history imports, newest first",
        responses={200: HistoryImportSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=["insights"],
    )
    def get(self, request: Request) -> Response:
        runs = selectors.list_history_imports(user=request.user)
        return Response(HistoryImportSerializer(runs, many=True).data)

    @extend_schema(
        operation_id="history_imports_create",
        summary="Upload Spotify's privacy export to import your whole listening history",
        description=(
            "The first rows of each file are checked at once: a file that is not your export (not a "
            "zip or its JSON, another account's, too large) is refused with a message and nothing "
            "is stored. The import then runs in the background, reading the whole file first "
            "(`checked`) so a file that breaks further on fails with its reason before any play "
            "is stored; follow it at /api/history/imports/{id}. An export imported before ends at "
            "once with `note` saying so, adding nothing."
        ),
        request={"multipart/form-data": HistoryImportUploadSerializer},
        responses={
            202: HistoryImportSerializer,
            400: OpenApiResponse(description="The file cannot be imported (`file` says why)."),
            401: NOT_SIGNED_IN,
            409: OpenApiResponse(description="Another import of yours is under way."),
            429: THROTTLED,
        },
        tags=["insights"],
    )
    def post(self, request: Request) -> Response:
        upload = HistoryImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        run = request_history_import(user=request.user, upload=upload.validated_data["file"])
        return Response(HistoryImportSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class HistoryImportDetailView(APIView):
    @extend_schema(
        operation_id="history_imports_retrieve",
        summary="One of your history imports: status, progress and counts",
        responses={
            200: HistoryImportSerializer,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(description="No such import of yours."),
        },
        tags=["insights"],
    )
    def get(self, request: Request, pk: int) -> Response:
        run = selectors.get_history_import(user=request.user, import_id=pk)
        if run is None:
            raise NotFound("No such import.")
        return Response(HistoryImportSerializer(run).data)
