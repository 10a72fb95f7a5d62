"""DRF endpoints of a base's runs (routes and restores): list, one run, retry, cancel, confirm or
discard a route waiting for you, restore (undo), its backups and a backup's download.

Before route runs had their own table they were sync events, and confirm, discard, restore and
backups lived under /api/sync-events/{id}/; those paths stay as deprecated aliases (the run ids
were kept), answered by the same views.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from routing import selectors
from routing.api.common import NO_BASE, TAGS
from routing.models import RouteRun, RouteRunKind
from routing.serializers.runs import BackupSerializer, RouteRunSerializer, RunFilterSerializer
from routing.serializers.setup import RoutingConflictSerializer
from routing.services import backups, restore, run_control, triggers
from routing.throttles import RouteThrottle

NO_RUN = OpenApiResponse(description="No such base of yours, or run of this base.")
NOT_YOURS = OpenApiResponse(description="No such run of yours (another user's are not found either).")


def _own_run(request: Request, pk: int, run_id: int | None) -> RouteRun:
    """/base-playlists/{pk}/runs/{run_id}/…: the run of that base; the old alias passes the run as pk."""
    if run_id is None:
        return selectors.get_route_run(user=request.user, pk=pk)
    base = selectors.get_base(user=request.user, pk=pk)
    return selectors.get_route_run(user=request.user, pk=run_id, base=base)


class RunListView(APIView):
    @extend_schema(
        operation_id="base_playlists_runs_list",
        summary="The base's route and restore runs, newest first",
        parameters=[RunFilterSerializer],
        responses={200: RouteRunSerializer(many=True), 401: NOT_SIGNED_IN, 404: NO_BASE},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        base = selectors.get_base(user=request.user, pk=pk)
        filters = RunFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data.get("status")
        runs = selectors.list_route_runs(user=request.user, base=base, status=wanted)[:100]
        return Response(RouteRunSerializer(runs, many=True).data)


class RunDetailView(APIView):
    @extend_schema(
        operation_id="base_playlists_runs_retrieve",
        summary="One route or restore run of the base",
        responses={200: RouteRunSerializer, 401: NOT_SIGNED_IN, 404: NO_RUN},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int, run_id: int) -> Response:
        return Response(RouteRunSerializer(_own_run(request, pk, run_id)).data)


class RunRetryView(APIView):
    throttle_classes = [RouteThrottle]  # a retry is a new route or restore

    @extend_schema(
        operation_id="base_playlists_runs_retry",
        summary="Retry a failed or cancelled route or restore",
        description=(
            "A new run with retry_of set. A route reads every child again and writes only what is "
            "still missing; a restore brings the same backups back."
        ),
        request=None,
        responses={
            201: OpenApiResponse(RouteRunSerializer, description="The retry, queued."),
            401: NOT_SIGNED_IN,
            404: NO_RUN,
            409: OpenApiResponse(
                RoutingConflictSerializer,
                description="Not failed or cancelled, already retried, another run of the base active, "
                "or no Spotify connection.",
            ),
            429: THROTTLED,
        },
        tags=TAGS,
    )
    def post(self, request: Request, pk: int, run_id: int) -> Response:
        run = _own_run(request, pk, run_id)
        retry = restore.retry_restore if run.kind == RouteRunKind.RESTORE else triggers.retry_route
        queued = retry(event=run)
        return Response(RouteRunSerializer(queued).data, status=status.HTTP_201_CREATED)


def _control_schema(*, operation_id: str, summary: str, success: int, description: str = "", **extra):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=None,
        responses={
            success: OpenApiResponse(RouteRunSerializer),
            401: NOT_SIGNED_IN,
            404: NOT_YOURS,
            409: OpenApiResponse(RoutingConflictSerializer, description="Not in a state that allows it."),
        },
        tags=TAGS,
        **extra,
    )


def _control(request: Request, run: RouteRun, *, action, success: int) -> Response:
    """Cancel, confirm or discard one of the caller's runs: the run as it is after, or 409 why not."""
    run = action(run=run)
    return Response(RouteRunSerializer(run).data, status=success)


class RunCancelView(APIView):
    @_control_schema(
        operation_id="base_playlists_runs_cancel",
        summary="Cancel a queued or postponed route or restore (or a route waiting for you)",
        description="Ends it as cancelled at once, before it writes anything: the base is free for "
        "edits and new routes again. A running one cannot be cancelled; it ends by itself.",
        success=200,
    )
    def post(self, request: Request, pk: int, run_id: int) -> Response:
        run = _own_run(request, pk, run_id)
        return _control(request, run, action=run_control.cancel_route_run, success=status.HTTP_200_OK)


CONFIRM = {
    "summary": "Let a route that waits for your confirmation make the removals it showed",
    "description": "The route is queued again; it plans anew and makes the removals listed in its "
    "route.confirmation (or fewer). If it would now remove anything more, it asks again.",
    "success": 202,
}
DISCARD = {"summary": "Refuse the removals a route showed: it ends cancelled, nothing written", "success": 200}


class RunConfirmView(APIView):
    @_control_schema(operation_id="base_playlists_runs_confirm", **CONFIRM)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        run = _own_run(request, pk, run_id)
        return _control(request, run, action=run_control.confirm_route, success=status.HTTP_202_ACCEPTED)


class RunDiscardView(APIView):
    @_control_schema(operation_id="base_playlists_runs_discard", **DISCARD)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        run = _own_run(request, pk, run_id)
        return _control(request, run, action=run_control.discard_route, success=status.HTTP_200_OK)


RESTORE = {
    "summary": "Restore the children to before this run (undo)",
    "description": (
        "Queues a restore run: every child this route (or restore) wrote to is brought back to "
        "its backup from before it, with the fewest writes. The restore backs the children up "
        "first, so it can be undone the same way."
    ),
    "request": None,
    "responses": {
        202: OpenApiResponse(RouteRunSerializer, description="The restore, queued."),
        401: NOT_SIGNED_IN,
        404: NOT_YOURS,
        409: OpenApiResponse(
            RoutingConflictSerializer,
            description=(
                "Not a finished route or restore with backups, its base deleted, another run of "
                "the base active, or no Spotify connection."
            ),
        ),
        429: THROTTLED,
    },
    "tags": TAGS,
}


class RunRestoreView(APIView):
    throttle_classes = [RouteThrottle]  # a restore writes to Spotify like a route

    @extend_schema(operation_id="base_playlists_runs_restore", **RESTORE)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        run = _own_run(request, pk, run_id)
        queued = restore.request_restore(event=run, trigger=triggers.RouteTrigger.API)
        return Response(RouteRunSerializer(queued).data, status=status.HTTP_202_ACCEPTED)


BACKUPS = {
    "summary": "The backups a route or restore took of the children it wrote to",
    "responses": {200: BackupSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_YOURS},
    "tags": TAGS,
}


class RunBackupsView(APIView):
    @extend_schema(operation_id="base_playlists_runs_backups_list", **BACKUPS)
    def get(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        run = _own_run(request, pk, run_id)
        return Response(BackupSerializer(selectors.list_backups(user=request.user, run=run), many=True).data)


# --- the paths these had under /api/sync-events/{id}/ (the id is the run's) --------------------
class OldConfirmView(RunConfirmView):
    @_control_schema(operation_id="sync_events_confirm", deprecated=True, **CONFIRM)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        return super().post(request, pk)


class OldDiscardView(RunDiscardView):
    @_control_schema(operation_id="sync_events_discard", deprecated=True, **DISCARD)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        return super().post(request, pk)


class OldRestoreView(RunRestoreView):
    @extend_schema(operation_id="sync_events_restore", deprecated=True, **RESTORE)
    def post(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        return super().post(request, pk)


class OldBackupsView(RunBackupsView):
    @extend_schema(operation_id="sync_events_backups_list", deprecated=True, **BACKUPS)
    def get(self, request: Request, pk: int, run_id: int | None = None) -> Response:
        return super().get(request, pk)


class BackupDetailView(APIView):
    @extend_schema(
        operation_id="backups_retrieve",
        summary="Download one backup of a child playlist as JSON",
        description="Every row in order (URI, and the track's name where the catalog knows it).",
        responses={200: OpenApiTypes.OBJECT, 401: NOT_SIGNED_IN, 404: NOT_YOURS},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        backup = selectors.get_backup(user=request.user, pk=pk)
        filename = f"linernotes-backup-{backup.pk}-{backup.spotify_id}.json"
        return Response(
            backups.backup_document(backup),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
