"""DRF endpoints about the caller: who am I, and my API tokens (list, create, revoke)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.authentication import ApiTokenAuthentication
from accounts.models import ApiToken
from accounts.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    MeSerializer,
)
from core.api_docs import NOT_SIGNED_IN, ErrorSerializer


class MeView(APIView):
    @extend_schema(
        operation_id="me_retrieve",
        summary="The signed-in user and their Spotify connection",
        responses={200: MeSerializer, 401: NOT_SIGNED_IN},
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


TOKENS_TAGS = ["accounts"]
NO_TOKEN = OpenApiResponse(ErrorSerializer, description="No such token among yours.")


class ApiTokenListView(APIView):
    @extend_schema(
        operation_id="me_tokens_list",
        summary="Your API tokens (name, prefix, created, last used, expiry), never their secrets",
        responses={200: ApiTokenSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=TOKENS_TAGS,
    )
    def get(self, request: Request) -> Response:
        tokens = selectors.list_api_tokens(user=request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        operation_id="me_tokens_create",
        summary="Create an API token for one device or script; its secret is in this answer only",
        description=(
            "Only a signed-in session may create one (the dashboard, or these docs while signed in): "
            "a request authenticated by a token is refused with 403, so a leaked token cannot make "
            f"itself a successor. At most {ApiToken.PER_LISTENER} tokens per listener; names are unique "
            "among yours. Only a digest is stored: a lost secret cannot be shown again, create another."
        ),
        request=ApiTokenCreateSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: OpenApiResponse(
                description="A field error (blank or taken name, an expiry not in the future, an unknown "
                f"field), or `detail` when you already have {ApiToken.PER_LISTENER} tokens."
            ),
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(ErrorSerializer, description="Authenticated by a token, not a session."),
        },
        tags=TOKENS_TAGS,
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.successful_authenticator, ApiTokenAuthentication):
            raise PermissionDenied(
                "A token cannot create tokens: create one on the dashboard, signed in with Spotify."
            )
        body = ApiTokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, secret = services.create_api_token(user=request.user, **body.validated_data)
        answer = {**ApiTokenSerializer(token).data, "token": secret}
        # The one answer that holds the secret: no cache, proxy or browser may keep it.
        return Response(answer, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class ApiTokenDetailView(APIView):
    @extend_schema(
        operation_id="me_tokens_retrieve",
        summary="One of your API tokens, without its secret",
        responses={200: ApiTokenSerializer, 401: NOT_SIGNED_IN, 404: NO_TOKEN},
        tags=TOKENS_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ApiTokenSerializer(self._mine(request, pk)).data)

    @extend_schema(
        operation_id="me_tokens_destroy",
        summary="Revoke one of your API tokens: requests with it get 401 from now on",
        description="Any of your tokens may be revoked, the one making this request included.",
        responses={204: None, 401: NOT_SIGNED_IN, 404: NO_TOKEN},
        tags=TOKENS_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        services.revoke_api_tokens(tokens=[self._mine(request, pk)])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _mine(request: Request, pk: int) -> ApiToken:
        token = selectors.get_api_token(user=request.user, pk=pk)
        if token is None:  # another listener's looks the same as none
            raise Http404
        return token
