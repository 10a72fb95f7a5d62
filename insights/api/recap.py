"""GET /api/insights/recap/{year}: the caller's year in music, as its page shows it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, ErrorSerializer
from insights.selectors.recap import FIRST_YEAR, year_recap, years_with_plays
from insights.serializers.recap import YearRecapSerializer


class YearRecapView(APIView):
    @extend_schema(
        operation_id="recap_retrieve",
        summary="Your year in music",
        description=(
            "Minutes, plays and skips by month, favourites by plays and by minutes with their first "
            "play, genres and moods by month and the longest streak, from every stored play of the "
            "year (collected from Spotify and imported from the privacy export). A play shorter "
            f"than 30 s is a skip. Years run from {FIRST_YEAR}; a year without plays of yours is 404."
        ),
        responses={
            200: YearRecapSerializer,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(ErrorSerializer, description="No play of yours in that year."),
        },
        tags=["insights"],
    )
    def get(self, request: Request, year: int) -> Response:
        known = year in years_with_plays(user=request.user)
        recap = year_recap(user=request.user, year=year) if known else None
        if recap is None:
            raise NotFound("No play of yours in that year.")
        return Response(YearRecapSerializer(recap).data)
