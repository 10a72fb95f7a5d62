"""DRF endpoints of route runs: start a route, its status and estimate, a preview; and the
route-only actions on a run (confirm, discard, restore, its backups), which live under
/api/sync-events/{id}/ while route runs are SyncEvents. Retry and cancel are sync's (any run).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from routing import selectors
from routing.api.common import INVALID, NO_BASE, NOT_SIGNED_IN, TAGS, conflict, refusal, valid
from routing.filters import FilterValidationError
from routing.serializers import (
    BackupSerializer,
    PreviewRequestSerializer,
    RoutePreviewSerializer,
    SyncStatusSerializer,
)
from routing.services import backups, restore, run_control, setup, triggers
from routing.services.preview import (
    PreviewFailed,
    PreviewNotConnected,
    PreviewNotPossible,
    PreviewRateLimited,
    estimate_route,
    preview_route,
)
from sync.serializers import ConflictSerializer, ErrorSerializer, SyncEventSerializer

# The run actions keep the tag of the other /api/sync-events/ endpoints.
RUN_TAGS = ["sync"]
NOT_YOURS = OpenApiResponse(description="No such event of yours (another user's are not found either).")


class BaseSyncView(APIView):
    @extend_schema(
        operation_id="base_playlists_sync",
        summary="Route this base into its children now",
        description=(
            "Queues a route and answers 202 with it. One route per base is queued or running at a "
            "time: if one already is, the answer is 200 with it. Follow it with "
            "GET /api/base-playlists/{id}/sync-status or /api/sync-events/{id}/."
        ),
        request=None,
        responses={
            202: OpenApiResponse(SyncEventSerializer, description="A new route was queued."),
            200: OpenApiResponse(SyncEventSerializer, description="A route was already queued or running."),
            401: NOT_SIGNED_IN,
            404: NO_BASE,
            409: OpenApiResponse(ErrorSerializer, description="No usable Spotify connection."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        try:
            event, created = triggers.request_route(base=base, trigger=triggers.RouteTrigger.API)
        except triggers.RouteTriggerError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except setup.PlaylistNotFound:  # deleted meanwhile
            raise Http404 from None
        code = status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK
        return Response(SyncEventSerializer(event).data, status=code)


class BaseSyncStatusView(APIView):
    @extend_schema(
        operation_id="base_playlists_sync_status",
        summary="The base's active route, its last finished one, and how long the next should take",
        responses={200: SyncStatusSerializer, 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        active, last = selectors.route_state(base=base)
        body = {"active": active, "last": last, "estimate": estimate_route(base=base)}
        return Response(SyncStatusSerializer(body).data)


class BasePreviewView(APIView):
    @extend_schema(
        operation_id="base_playlists_preview",
        summary="What a route would do now, optionally with draft filters; nothing is written",
        description=(
            "Plans the route from the mirror as the last import left it. A draft (filters, with "
            "child: the child it replaces, or none for a new child) is applied to the plan only. "
            "read_children: false skips reading the children on Spotify (counts only). Allowed "
            "while a route runs."
        ),
        request=PreviewRequestSerializer,
        responses={
            200: RoutePreviewSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(
                ErrorSerializer, description="No such base of yours, or child of this base."
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="No usable Spotify connection, or the base cannot be read (gone, refused).",
            ),
            429: OpenApiResponse(ErrorSerializer, description="Spotify's rate limit; Retry-After says when."),
            502: OpenApiResponse(ErrorSerializer, description="Spotify failed or is unreachable; detail says why."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        body = valid(PreviewRequestSerializer, request)
        try:
            preview = preview_route(
                base=base,
                read_children=body["read_children"],
                draft_filters=body.get("filters"),
                draft_child_id=body.get("child"),
                draft_mode=body.get("mode"),
            )
        except (PreviewNotConnected, PreviewNotPossible) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except PreviewRateLimited as exc:
            return Response(
                {"detail": str(exc)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except PreviewFailed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
        except (setup.RoutingSetupError, FilterValidationError) as exc:
            return refusal(exc, field="mode")
        return Response(RoutePreviewSerializer(preview).data)



# --- actions on one route run (under /api/sync-events/) ------------------------------------------
class SyncEventConfirmView(APIView):
    @extend_schema(
        operation_id="sync_events_confirm",
        summary="Let a route that waits for your confirmation make the removals it showed",
        description=(
            "The route is queued again; it plans anew and makes the removals listed in its "
            "route.confirmation (or fewer). If it would now remove anything more, it asks again."
        ),
        request=None,
        responses={
            202: OpenApiResponse(SyncEventSerializer, description="Confirmed and queued."),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(ConflictSerializer, description="Not a route waiting for confirmation."),
        },
        tags=RUN_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _control(request, pk, action=run_control.confirm_route, success=status.HTTP_202_ACCEPTED)


class SyncEventDiscardView(APIView):
    @extend_schema(
        operation_id="sync_events_discard",
        summary="Refuse the removals a route showed: it ends cancelled, nothing written",
        request=None,
        responses={
            200: OpenApiResponse(SyncEventSerializer, description="Discarded."),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(ConflictSerializer, description="Not a route waiting for confirmation."),
        },
        tags=RUN_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        return _control(request, pk, action=run_control.discard_route, success=status.HTTP_200_OK)


class SyncEventRestoreView(APIView):
    @extend_schema(
        operation_id="sync_events_restore",
        summary="Restore the children to before this route (undo)",
        description=(
            "Queues a restore run: every child this route (or restore) wrote to is brought back to "
            "its backup from before it, with the fewest writes. The restore backs the children up "
            "first, so it can be undone the same way."
        ),
        request=None,
        responses={
            202: OpenApiResponse(SyncEventSerializer, description="The restore, queued."),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(
                ConflictSerializer,
                description=(
                    "Not a finished route or restore with backups, its base deleted, another route of "
                    "the base active, or no Spotify connection."
                ),
            ),
        },
        tags=RUN_TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        event = selectors.get_run(user=request.user, pk=pk)
        try:
            queued = restore.request_restore(event=event, trigger=triggers.RouteTrigger.API)
        except triggers.RouteTriggerError as exc:
            return conflict(exc)
        return Response(SyncEventSerializer(queued).data, status=status.HTTP_202_ACCEPTED)


class SyncEventBackupsView(APIView):
    @extend_schema(
        operation_id="sync_events_backups_list",
        summary="The backups a route or restore took of the children it wrote to",
        responses={200: BackupSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_YOURS},
        tags=RUN_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        event = selectors.get_run(user=request.user, pk=pk)
        return Response(
            BackupSerializer(selectors.list_backups(user=request.user, run=event), many=True).data
        )


class BackupDetailView(APIView):
    @extend_schema(
        operation_id="backups_retrieve",
        summary="Download one backup of a child playlist as JSON",
        description="Every row in order (URI, and the track's name where the catalog knows it).",
        responses={200: OpenApiTypes.OBJECT, 401: NOT_SIGNED_IN, 404: NOT_YOURS},
        tags=RUN_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        backup = selectors.get_backup(user=request.user, pk=pk)
        filename = f"linernotes-backup-{backup.pk}-{backup.spotify_id}.json"
        return Response(
            backups.backup_document(backup),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _control(request: Request, pk: int, *, action, success: int) -> Response:
    """Confirm or discard one of the caller's runs: the run as it is after, or 409 why not."""
    try:
        event = action(event=selectors.get_run(user=request.user, pk=pk))
    except run_control.RunControlError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response(SyncEventSerializer(event).data, status=success)
