"""GET /api/history/: the caller's plays, newest first, with the gaps where plays may be missing."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from insights import selectors
from insights.serializers.history import HistoryPageSerializer

INVALID_CURSOR = "Invalid cursor: use the `next` or `previous` link of a page as it is."


class PlayPagination(CursorPagination):
    # Cursor pages stay put while new plays arrive at the top, unlike page numbers.
    ordering = "-played_at"
    page_size = 50
    invalid_cursor_message = INVALID_CURSOR

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a bad cursor with 404; it is bad input, so a 400 naming the parameter.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None


class HistoryView(APIView):
    @extend_schema(
        operation_id="history_list",
        summary="Your play history, newest first, and where it may be incomplete",
        description=(
            "Plays come from polling Spotify's recently-played list every hour; Spotify keeps only "
            "the last 50 plays, so more plays than that between two polls, or a lost Spotify "
            "connection, can leave holes. `gaps` lists them for the page's time window: plays may "
            "be missing after a gap's `starts_at` and before its `ends_at` (null: still open)."
        ),
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From a `next`/`previous` link.")
        ],
        responses={
            200: HistoryPageSerializer,
            400: OpenApiResponse(description="A cursor that is not one of ours."),
            401: OpenApiResponse(description="Not signed in."),
        },
        tags=["insights"],
    )
    def get(self, request: Request) -> Response:
        paginator = PlayPagination()
        plays = paginator.paginate_queryset(selectors.list_plays(user=request.user), request, view=self)
        gaps = selectors.gaps_around(
            user=request.user,
            plays=plays,
            newest_page=not paginator.has_previous,
            oldest_page=not paginator.has_next,
        )
        body = {
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "status": selectors.get_history_state(user=request.user),
            "gaps": gaps,
            "results": plays,
        }
        return Response(HistoryPageSerializer(body, context={"request": request}).data)
