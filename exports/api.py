"""GET /api/exports/{library,history,song-analyses}.{csv,json} and /api/exports/playlists/{id}.{csv,json}:
the caller's data as a streamed file, the same files the pages' links give.

The format is the path's extension, not the Accept header: a script saves what it asked for,
and a client that accepts only text/csv is not refused (no 406). Errors stay JSON, as everywhere
under /api/.
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED, ErrorSerializer
from exports import columns, documents, selectors, streams
from exports.columns import Column
from exports.documents import Export
from exports.throttles import ExportThrottle

JSON_TYPES = {
    "string": {"type": "string", "nullable": True},
    "integer": {"type": "integer", "nullable": True},
    "number": {"type": "number", "nullable": True},
    "boolean": {"type": "boolean", "nullable": True},
    "date-time": {"type": "string", "format": "date-time", "nullable": True},
    "array": {"type": "array", "items": {"type": "string"}},
}
CSV_NOTE = (
    "UTF-8 with a byte order mark, one header row (the same names as the JSON keys), lists joined "
    'by "; ", booleans as true/false, times in ISO 8601 UTC; a text value starting with = + - @ '
    "is prefixed with an apostrophe so that spreadsheets do not run it as a formula."
)


class ErrorsAsJson(BaseContentNegotiation):
    """The file's type comes from the path; the only renderer DRF needs is for errors (JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _file_format(value: str) -> str:
    if value not in documents.FORMATS:
        raise ValidationError({"file_format": [documents.UNKNOWN_FORMAT.format(given=value)]})
    return value


def _json_schema(export_columns: tuple[Column, ...]) -> dict[str, Any]:
    properties = {
        column.name: {**JSON_TYPES[column.kind], "description": column.description}
        for column in export_columns
    }
    items = {"type": "object", "properties": properties, "required": list(properties)}
    return {"type": "array", "items": items}


def _responses(what: str, export_columns: tuple[Column, ...], *, playlist: bool = False) -> dict:
    # One description for both media types: OpenAPI keeps one per status.
    names = ", ".join(column.name for column in export_columns)
    described = (
        f"{what}, streamed as an attachment. CSV when file_format is csv: {CSV_NOTE} "
        f"One JSON array of objects when it is json, lists as arrays, null for unknown. Columns: {names}."
    )
    responses: dict = {
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=described),
        (200, "application/json"): OpenApiResponse(_json_schema(export_columns), description=described),
        400: OpenApiResponse(ErrorSerializer, description="file_format is neither csv nor json."),
        401: NOT_SIGNED_IN,
        429: THROTTLED,
    }
    if playlist:
        responses[404] = OpenApiResponse(ErrorSerializer, description="No such playlist of yours.")
    return responses


FORMAT = OpenApiParameter(
    "file_format", str, OpenApiParameter.PATH, enum=list(documents.FORMATS), description="csv or json."
)


class ExportView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = ErrorsAsJson
    # Every download counts (THROTTLE_RATES "exports", 60 an hour by default), pages' and API's alike.
    throttle_classes = [ExportThrottle]

    def export(self, request: Request, **kwargs: Any) -> Export:
        raise NotImplementedError

    def get(self, request: Request, file_format: str, **kwargs: Any) -> StreamingHttpResponse:
        file_format = _file_format(file_format)
        return streams.download(self.export(request, **kwargs), file_format=file_format)


class LibraryExportView(ExportView):
    @extend_schema(
        operation_id="exports_library",
        summary="Every item of every playlist of yours, as CSV or JSON",
        description="One row per item (Liked Songs included), playlists in Spotify's order, with the "
        "derived columns: artist genres, analysis genres, release year, mood, themes, content rating, ISRC.",
        parameters=[FORMAT],
        responses=_responses("Your library", columns.LIBRARY_COLUMNS),
        tags=["exports"],
    )
    def get(self, request: Request, file_format: str) -> StreamingHttpResponse:
        return super().get(request, file_format)

    def export(self, request: Request, **kwargs: Any) -> Export:
        return documents.library_export(user=request.user)


class PlaylistExportView(ExportView):
    @extend_schema(
        operation_id="exports_playlist",
        summary="One playlist of yours, as CSV or JSON",
        description="One row per item, in the playlist's order, with the derived columns.",
        parameters=[FORMAT],
        responses=_responses("The playlist", columns.PLAYLIST_COLUMNS, playlist=True),
        tags=["exports"],
    )
    def get(self, request: Request, file_format: str, pk: int) -> StreamingHttpResponse:
        return super().get(request, file_format, pk=pk)

    def export(self, request: Request, **kwargs: Any) -> Export:
        playlist = selectors.get_playlist(user=request.user, playlist_id=kwargs["pk"])
        if playlist is None:
            raise NotFound("No such playlist of yours.")
        return documents.playlist_export(playlist=playlist)


class HistoryExportView(ExportView):
    @extend_schema(
        operation_id="exports_history",
        summary="Your play history, as CSV or JSON",
        description="Every play stored, newest first: collected from Spotify and imported from its "
        "privacy export (matched false: a play whose names match no track; only its title and artist).",
        parameters=[FORMAT],
        responses=_responses("Your history", columns.HISTORY_COLUMNS),
        tags=["exports"],
    )
    def get(self, request: Request, file_format: str) -> StreamingHttpResponse:
        return super().get(request, file_format)

    def export(self, request: Request, **kwargs: Any) -> Export:
        return documents.history_export(user=request.user)


class AnalysesExportView(ExportView):
    @extend_schema(
        operation_id="exports_song_analyses",
        summary="The analyses of the songs in your playlists, as CSV or JSON",
        description="One row per analysed song of your playlists, by title: the analysis the pages "
        "show (the current prompt's, else the newest older one) with the song's catalog columns.",
        parameters=[FORMAT],
        responses=_responses("The song analyses", columns.ANALYSIS_COLUMNS),
        tags=["exports"],
    )
    def get(self, request: Request, file_format: str) -> StreamingHttpResponse:
        return super().get(request, file_format)

    def export(self, request: Request, **kwargs: Any) -> Export:
        return documents.analyses_export(user=request.user)
