"""Staff-only endpoints of the LLM router: status, force a provider, reset.

The same model permissions as the provider admin: reading the status needs llm.view_provider,
forcing and resetting (the admin's actions) llm.change_provider. Being staff is not enough."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, NOT_STAFF
from core.permissions import staff_permission
from llm import selectors
from llm.serializers import ForceProviderSerializer, RouterStatusSerializer
from llm.services import circuit


class StaffAPIView(APIView):
    # An anonymous caller still gets 401 (NotAuthenticated), a signed-in one without it 403.
    permission_classes = [staff_permission(read="llm.view_provider", write="llm.change_provider")]


def _status_response() -> Response:
    return Response(RouterStatusSerializer(selectors.router_status()).data)


class StatusView(StaffAPIView):
    @extend_schema(
        operation_id="llm_status",
        summary="LLM providers, their circuits, the current and the forced provider",
        responses={200: RouterStatusSerializer, 401: NOT_SIGNED_IN, 403: NOT_STAFF},
        tags=["llm"],
    )
    def get(self, request: Request) -> Response:
        return _status_response()


class ForceProviderView(StaffAPIView):
    @extend_schema(
        operation_id="llm_force_provider",
        summary="Send requests to this provider first, whatever its priority, until reset",
        description=(
            "Its circuit still applies: while it is down, requests fail over to the others and "
            "the force stays (the status shows forced_unavailable)."
        ),
        request=ForceProviderSerializer,
        responses={
            200: RouterStatusSerializer,
            400: OpenApiResponse(description="No provider has that name, or it is disabled."),
            401: NOT_SIGNED_IN,
            403: NOT_STAFF,
        },
        tags=["llm"],
    )
    def post(self, request: Request) -> Response:
        body = ForceProviderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        circuit.force_provider(name=body.validated_data["provider"])
        return _status_response()


class ResetView(StaffAPIView):
    @extend_schema(
        operation_id="llm_reset_cache",
        summary="Forget the current and the forced provider and close every circuit",
        request=None,
        responses={200: RouterStatusSerializer, 401: NOT_SIGNED_IN, 403: NOT_STAFF},
        tags=["llm"],
    )
    def post(self, request: Request) -> Response:
        circuit.reset_router()
        return _status_response()
