"""DRF endpoints about the caller: who am I, and my API token."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.serializers import ApiTokenRequestSerializer, ApiTokenSerializer, MeSerializer


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="The signed-in user and their Spotify connection",
        responses={200: MeSerializer, 401: OpenApiResponse(description="Not signed in.")},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        state = selectors.get_connection_state(user=user)
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "spotify_user_id": state.spotify_user_id,
            "connection_state": state.status.value,
            "token_expires_at": state.token_expires_at,
            "rate_limited_until": state.rate_limited_until,
            "reconnect_reason": state.reconnect_reason,
        }
        return Response(MeSerializer(data).data)


class ApiTokenView(APIView):
    @extend_schema(
        operation_id="me_token_create",
        summary="Get (creating if needed) or rotate your API token for scripts",
        request=ApiTokenRequestSerializer,
        responses={
            200: ApiTokenSerializer,
            201: ApiTokenSerializer,
            401: OpenApiResponse(description="Not signed in."),
        },
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        options = ApiTokenRequestSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        if options.validated_data["rotate"]:
            token, created = services.rotate_api_token(user=request.user), True
        else:
            token, created = services.get_or_create_api_token(user=request.user)
        body = ApiTokenSerializer({"token": token.key, "created": created}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
