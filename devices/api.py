"""DRF endpoints of the device library: a client syncs what it holds offline, replaces one
collection, asks what changed since a time, and says which session is playing. Thin: the
serializers (devices.serializers) check the payload, devices.services merges."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN, THROTTLED
from core.conditional import cached_json
from core.json_input import JSONParser
from devices import selectors, services
from devices.serializers import (
    FAVORITES_LIMIT,
    HISTORY_LIMIT,
    MARKER_LIMIT,
    MAX_BODY_BYTES,
    PLAYLIST_ITEMS_LIMIT,
    PLAYLISTS_LIMIT,
    QUEUE_LIMIT,
    SEARCH_LIMIT,
    DeviceChangesQuerySerializer,
    DeviceChangesSerializer,
    DeviceFavoriteSerializer,
    DeviceHistoryEntrySerializer,
    DeviceLibraryOutSerializer,
    DeviceLibrarySerializer,
    DevicePlaylistOutSerializer,
    DevicePlaylistSerializer,
    DevicePreferencesSerializer,
    DeviceQueueSerializer,
    DeviceRecentSearchSerializer,
    DeviceSyncResultSerializer,
    SessionPingSerializer,
    SessionSummarySerializer,
)
from devices.throttles import DeviceSyncThrottle
from devices.types import SESSION_TTL, SESSIONS_LIMIT, DeviceLibrary
from devices.wire import device_library_from_wire

LIMITS = (
    f"Limits: a JSON body of at most {MAX_BODY_BYTES:,} bytes (2 MB; larger → 400 with a `detail`), "
    "nested at most JSON_MAX_DEPTH (32) arrays and objects deep; "
    f"favorites ≤ {FAVORITES_LIMIT:,}, history ≤ {HISTORY_LIMIT}, queue items ≤ {QUEUE_LIMIT}, "
    f"playlists ≤ {PLAYLISTS_LIMIT} with ≤ {PLAYLIST_ITEMS_LIMIT:,} items each, recent searches ≤ "
    f"{SEARCH_LIMIT}. Favorites and playlists count live items; deletion markers (removed_at set) "
    f"come on top, up to {MARKER_LIMIT:,} (the server keeps the newest {MARKER_LIMIT:,}, and a deleted "
    "playlist keeps no items), so a library the server answered can always be sent back. A merge that "
    "would leave the stored library over a limit is refused (400 at the collection). Clients need "
    "to poll `GET /api/me/library/changes` only while a session ping says `multiple_sessions`. "
    "Unknown keys are refused at every level; JSON types are not coerced. Times are "
    "ISO 8601 with a zone; a time more than 5 minutes ahead of the server's clock is refused (not "
    "clamped), since it would win every merge. Syncs and PUTs together count toward the listener's "
    "device_sync limit (THROTTLE_RATES, 120 an hour by default): past it, 429 with Retry-After."
)
DEVICE_AUTH = (
    "Each device sends its own API token (`Authorization: Token <secret>`), made for it on the "
    "dashboard or with `POST /api/me/tokens/` and named after it (\"phone\", \"laptop\"): revoking "
    "a lost device's token leaves the others syncing."
)
BAD_INPUT = OpenApiResponse(
    description=(
        "Malformed JSON, nested more than 32 deep, or a body over 2 MB (`detail`), or field errors "
        "keyed by the field's path, "
        'e.g. {"favorites": {"3": {"added_at": ["…"]}}}. Nothing is stored.'
    )
)
MERGE_RULE = (
    "Merge rule (the same for a sync and a PUT; the order of devices does not matter): favorites, one "
    "per track, keep the newest added_at and the newest removed_at (removed while removed_at ≥ "
    f"added_at); history keeps every play once per (track, played_at), the newest {HISTORY_LIMIT}; "
    "queue and preferences: the newer updated_at wins, whole; playlists match by id, else local_id, "
    "and each field keeps its newer *_updated_at; a deletion (removed_at, the latest seen) is final; "
    "recent searches, "
    f"one per query ignoring case, the newest {SEARCH_LIMIT}."
)


class DeviceAPIView(APIView):
    # Our JSON parser (core.json_input): depth-limited, and its body limit raised to the library's
    # 2 MB, refused from the declared length before the body is read (400 rather than 413, with
    # the hint). Anything but JSON is answered 415.
    parser_classes = [JSONParser]
    json_max_bytes = MAX_BODY_BYTES
    json_too_large_hint = "Send less at a time, e.g. one collection with PUT."


def _incoming(data: Any) -> DeviceLibrary:
    checked = DeviceLibrarySerializer(data=data)
    checked.is_valid(raise_exception=True)
    return device_library_from_wire(checked.validated_data)


class LibrarySyncView(DeviceAPIView):
    throttle_classes = [DeviceSyncThrottle]

    @extend_schema(
        operation_id="me_library_sync",
        summary="Sync a device's library: send what it holds, get the merged library",
        description=(
            "Send any of the collections (each key optional: absent says nothing about it) with "
            "their per-item times; the server merges them into the stored library and answers the "
            "whole merged library, plus the server id of each playlist the device made offline "
            f"(keyed by its local_id). {MERGE_RULE}\n\n{LIMITS}\n\n{DEVICE_AUTH}"
        ),
        request=DeviceLibrarySerializer,
        responses={200: DeviceSyncResultSerializer, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 429: THROTTLED},
        tags=["device library"],
    )
    def post(self, request: Request) -> Response:
        outcome = services.merge_device_library(user=request.user, incoming=_incoming(request.data))
        body = {"library": outcome.library, "playlist_ids": outcome.playlist_ids}
        return Response(DeviceSyncResultSerializer(body).data)


class CollectionView(DeviceAPIView):
    """PUT one collection: the body is the collection itself (a list, or an object for the queue and
    preferences), merged by the same rule as a sync; the answer is the collection as now stored."""

    collection: str  # a DeviceLibrary field name
    throttle_classes = [DeviceSyncThrottle]  # the same merge as a sync: the same count

    def put(self, request: Request) -> Response:
        if request.data is None:  # JSON null: for the queue and preferences it would say nothing
            raise ValidationError({self.collection: ["Send the collection; null says nothing to store."]})
        incoming = _incoming({self.collection: request.data})
        stored = services.update_collection(
            user=request.user, collection=self.collection, incoming=incoming
        )
        return Response(DeviceLibraryOutSerializer(stored).data[self.collection])


def _collection_view(collection: str, body: Serializer, answer: Serializer, note: str = "") -> type:
    """One CollectionView per collection, so each gets its own documented request and answer."""
    path, what = collection.replace("_", "-"), collection.replace("_", " ")

    @extend_schema(
        operation_id=f"me_{collection}_update",
        summary=f"Merge your {what} from a device",
        description=(
            f"PUT /api/me/{path}: the body is the device's {what}, merged with the stored ones by the "
            f"sync's rule; the answer is the {what} as now stored.{note} {MERGE_RULE}\n\n{LIMITS}"
        ),
        request=body,
        responses={200: answer, 400: BAD_INPUT, 401: NOT_SIGNED_IN, 429: THROTTLED},
        tags=["device library"],
    )
    def put(self, request: Request) -> Response:
        return CollectionView.put(self, request)

    name = "".join(part.title() for part in collection.split("_")) + "View"
    return type(name, (CollectionView,), {"collection": collection, "put": put, "__module__": __name__})


FavoritesView = _collection_view(
    "favorites", DeviceFavoriteSerializer(many=True), DeviceFavoriteSerializer(many=True)
)
HistoryView = _collection_view(
    "history", DeviceHistoryEntrySerializer(many=True), DeviceHistoryEntrySerializer(many=True)
)
QueueView = _collection_view("queue", DeviceQueueSerializer, DeviceQueueSerializer)
PlaylistsView = _collection_view(
    "playlists",
    DevicePlaylistSerializer(many=True),
    DevicePlaylistOutSerializer(many=True),
    note=" A playlist made offline comes back with its server id next to its local_id.",
)
PreferencesView = _collection_view("preferences", DevicePreferencesSerializer, DevicePreferencesSerializer)
RecentSearchesView = _collection_view(
    "recent_searches", DeviceRecentSearchSerializer(many=True), DeviceRecentSearchSerializer(many=True)
)


class LibraryChangesView(DeviceAPIView):
    @extend_schema(
        operation_id="me_library_changes",
        summary="What changed in your library since a time",
        description=(
            "Everything stored or changed after `since` (deletions included, as removed_at). Keep "
            "`server_time` from the answer and pass it as `since` next time."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=True,
                description="ISO 8601 with a zone, e.g. 2025-05-01T12:00:00Z (encode + as %2B).",
            )
        ],
        responses={200: DeviceChangesSerializer, 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        tags=["device library"],
    )
    def get(self, request: Request) -> HttpResponse:
        # Read the clock before the changes: a write landing in between shows up again next time
        # (merges are idempotent) instead of being missed.
        server_time = services.now()
        params = {key: request.query_params.get(key) for key in request.query_params}
        if "since" in params:
            # An unencoded "+01:00" arrives as " 01:00"; no valid time has a space there.
            params["since"] = params["since"].replace(" ", "+")
        query = DeviceChangesQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        since = query.validated_data["since"]

        def build() -> dict:
            changes = services.library_changes(user=request.user, since=since)
            body = {"since": since, "server_time": server_time, "library": changes}
            return DeviceChangesSerializer(body).data

        # While the library is unchanged an answer stays true, its older server_time included: the
        # client passes that as `since` next time and gets what changed after it (304 until then).
        return cached_json(request, version=selectors.library_version(user=request.user), build=build)


class SessionPingView(DeviceAPIView):
    @extend_schema(
        operation_id="me_session_ping",
        summary="Say this device's session is alive; see your other active sessions",
        description=(
            f"Call every minute or so while playing. A session not heard from for {SESSION_TTL} "
            "(h:mm:ss) stops counting as active. `multiple_sessions` is true when more than one is. "
            f"A listener has at most {SESSIONS_LIMIT} sessions: a ping past them evicts the least "
            "recently seen (a live one evicted is back at its next ping)."
        ),
        request=SessionPingSerializer,
        responses={200: SessionSummarySerializer, 400: BAD_INPUT, 401: NOT_SIGNED_IN},
        tags=["device library"],
    )
    def post(self, request: Request) -> Response:
        ping = SessionPingSerializer(data=request.data)
        ping.is_valid(raise_exception=True)
        summary = services.ping_session(user=request.user, **ping.validated_data)
        return Response(SessionSummarySerializer(summary).data)


__all__ = [
    "FavoritesView",
    "HistoryView",
    "LibraryChangesView",
    "LibrarySyncView",
    "PlaylistsView",
    "PreferencesView",
    "QueueView",
    "RecentSearchesView",
    "SessionPingView",
]
