"""The device library on the wire: strict serializers that turn a client's JSON into the plain values
of devices.types, and those values back into JSON.

Strict, because what a client sends is merged into the stored library and kept: a guess made here
(a misspelt key ignored, "1" read as a number, a naive time read as UTC) would live on in every
device. So unknown keys are refused at every level, JSON types are not coerced, lists have item
limits, and times need a zone.

Times more than MAX_CLOCK_SKEW ahead of the server are *refused*, not clamped: merges keep the
newest edit, so a device whose clock runs ahead would win every merge until real time caught up;
clamping would hide the broken clock, refusing tells the client which field and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

from devices.types import (
    FAVORITES_LIMIT,
    HISTORY_LIMIT,
    MARKER_LIMIT,
    PLAYLISTS_LIMIT,
    REPEAT_MODES,
    SEARCH_LIMIT,
    track_key,
)

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_CLOCK_SKEW = timedelta(minutes=5)
QUEUE_LIMIT = 500
PLAYLIST_ITEMS_LIMIT = 1_000

FUTURE_RULE = (
    "ISO 8601 with a zone. Sent: at most 5 minutes ahead of the server's clock (400 past it)."
)

SPOTIFY_TRACK = re.compile(r"^(?:spotify:track:)?([0-9A-Za-z]{22})$")


# Fields that take only their own JSON type: DRF would otherwise read "1" as 1, 1 as "1", "yes" as true.


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    default_error_messages = {"invalid": "Must be a number."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


@extend_schema_field({"type": "string", "pattern": r"^(spotify:track:)?[0-9A-Za-z]{22}$"})
class TrackField(StrictCharField):
    default_error_messages = {
        "track": "Not a Spotify track id (22 letters and digits) or URI (spotify:track:<id>).",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "A Spotify track id or URI (spotify:track:<id>); answered as the id.")
        super().__init__(max_length=64, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not SPOTIFY_TRACK.match(value):
            self.fail("track")
        return track_key(value)


class TimeField(serializers.DateTimeField):
    """ISO 8601 with a zone, answered in UTC; refused when ahead of the server beyond the skew."""

    default_error_messages = {
        "invalid": "Not an ISO 8601 time: use e.g. 2025-05-01T12:00:00Z.",
        "naive": "Give the time zone (e.g. a trailing Z for UTC): a time without one is ambiguous.",
        "future": (
            "Is {ahead} ahead of the server's clock ({now}); times more than 5 minutes in the future "
            "are refused, because they would win every merge. Check the device's clock."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        # The rule the schema cannot say in its types, in every time field's description.
        said = kwargs.pop("help_text", "")
        kwargs["help_text"] = f"{said} {FUTURE_RULE}".strip()
        super().__init__(default_timezone=UTC, **kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible, e.g. month 13
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if parsed.tzinfo is None:
            self.fail("naive")
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:  # year 1 or 9999 with an offset that takes it out of range
            self.fail("invalid")
        now = timezone.now()
        if parsed > now + MAX_CLOCK_SKEW:
            ahead = timedelta(seconds=round((parsed - now).total_seconds()))
            self.fail("future", ahead=ahead, now=now.isoformat(timespec="seconds"))
        return parsed


class BoundedListField(serializers.ListField):
    """A list whose length is checked before its items, so an oversized list costs nothing.

    With `markers=True` (favorites, playlists) the limit counts live items only: deletion
    markers (a non-null removed_at) come on top, up to MARKER_LIMIT, so a library the server
    answered can always be sent back as it is.
    """

    default_error_messages = {"max_length": "Too many items: at most {max_length}, got {count}."}

    def __init__(self, *args: Any, markers: bool = False, **kwargs: Any) -> None:
        self.live_limit = kwargs.get("max_length")
        if markers and self.live_limit is not None:
            kwargs["max_length"] = self.live_limit + MARKER_LIMIT  # the list's own bound (and maxItems)
        self.markers = markers
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data: Any) -> list:
        if isinstance(data, list) and self.max_length is not None:
            if len(data) > self.max_length:
                self.fail("max_length", max_length=self.max_length, count=len(data))
            live = sum(1 for item in data if not _is_marker(item)) if self.markers else len(data)
            if live > self.live_limit:
                self.fail("max_length", max_length=self.live_limit, count=live)
        return super().to_internal_value(data)


def _is_marker(item: Any) -> bool:
    return isinstance(item, Mapping) and item.get("removed_at") is not None


class StrictSerializer(serializers.Serializer):
    # Refuses keys it does not know, next to the other field errors of the same object. (A comment,
    # not a docstring: the API docs would show it as every subclass's description.)

    unknown_keys_refused = True  # the schema says additionalProperties: false (core.api_docs)

    def to_internal_value(self, data: Any) -> dict:
        unknown = [key for key in data if key not in self.fields] if isinstance(data, Mapping) else []
        errors: dict = {}
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not unknown:
                raise
            errors = (
                dict(exc.detail)
                if isinstance(exc.detail, dict)
                else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
            )
        if not unknown:
            return value
        message = f"Unknown field; this object takes {', '.join(self.fields)}."
        errors.update({key: [ErrorDetail(message, code="unknown")] for key in unknown})
        raise ValidationError(errors)


def _text(max_length: int, **kwargs: Any) -> StrictCharField:
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


def _duration(**kwargs: Any) -> serializers.Field:
    return StrictIntegerField(
        min_value=0, max_value=24 * 3_600_000, required=False, allow_null=True, default=None, **kwargs
    )


class DeviceTrackSerializer(StrictSerializer):
    # Every track reference carries what a client shows offline: title, artist, artwork, length.
    track = TrackField(source="ref.track")
    title = _text(500, source="ref.title")
    artist = _text(500, source="ref.artist")
    artwork_url = _text(1_000, source="ref.artwork_url")
    duration_ms = _duration(source="ref.duration_ms")


class DeviceFavoriteSerializer(DeviceTrackSerializer):
    added_at = TimeField()
    removed_at = TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Set when unfavorited; a later added_at re-adds.",
    )


class DeviceHistoryEntrySerializer(DeviceTrackSerializer):
    played_at = TimeField()
    completion = StrictFloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Share heard, 0..1.",
    )
    source = _text(50, help_text='Where it was played from, e.g. "playlist", "album", "search".')


class DevicePlaylistItemSerializer(DeviceTrackSerializer):
    added_at = TimeField()


class DeviceQueueItemSerializer(StrictSerializer):
    # A queue holds bare track references (QueueState.items), not entries with a `ref`.
    track = TrackField()
    title = _text(500)
    artist = _text(500)
    artwork_url = _text(1_000)
    duration_ms = _duration()


class DeviceQueueSerializer(StrictSerializer):
    items = BoundedListField(child=DeviceQueueItemSerializer(), max_length=QUEUE_LIMIT)
    updated_at = TimeField()
    device = _text(100)


class DevicePlaylistSerializer(StrictSerializer):
    """An app playlist. Each editable field has its own change time (defaulting to updated_at), so
    two devices that edited different fields offline both keep their edit."""

    id = StrictIntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="Server id.",
    )
    local_id = StrictCharField(
        max_length=64, required=False, allow_null=True, default=None, help_text="The device's id for it."
    )
    name = StrictCharField(max_length=200)
    description = StrictCharField(max_length=1_000, allow_blank=True)
    is_public = StrictBooleanField()
    items = BoundedListField(child=DevicePlaylistItemSerializer(), max_length=PLAYLIST_ITEMS_LIMIT)
    created_at = TimeField()
    updated_at = TimeField(help_text="The default for each *_updated_at left out.")
    name_updated_at = TimeField(required=False)
    description_updated_at = TimeField(required=False)
    is_public_updated_at = TimeField(required=False)
    items_updated_at = TimeField(required=False)
    removed_at = TimeField(required=False, allow_null=True, default=None, help_text="Set when deleted.")

    def validate(self, attrs: dict) -> dict:
        if attrs["id"] is None and attrs["local_id"] is None:
            raise ValidationError({"id": ["Give id (the server's) or local_id (made on this device)."]})
        for field in ("name", "description", "is_public", "items"):
            attrs.setdefault(f"{field}_updated_at", attrs["updated_at"])
        return attrs


class DevicePreferencesSerializer(StrictSerializer):
    shuffle = StrictBooleanField()
    repeat = serializers.ChoiceField(choices=REPEAT_MODES)
    volume = StrictFloatField(min_value=0, max_value=1)
    updated_at = TimeField()


class DeviceRecentSearchSerializer(StrictSerializer):
    query = StrictCharField(max_length=200)
    searched_at = TimeField()


class DeviceLibrarySerializer(StrictSerializer):
    """What a device has. Every key may be left out: absent (or null) says nothing about it."""

    favorites = BoundedListField(
        child=DeviceFavoriteSerializer(), max_length=FAVORITES_LIMIT, markers=True, required=False
    )
    history = BoundedListField(child=DeviceHistoryEntrySerializer(), max_length=HISTORY_LIMIT, required=False)
    queue = DeviceQueueSerializer(required=False, allow_null=True)
    playlists = BoundedListField(
        child=DevicePlaylistSerializer(), max_length=PLAYLISTS_LIMIT, markers=True, required=False
    )
    preferences = DevicePreferencesSerializer(required=False, allow_null=True)
    recent_searches = BoundedListField(
        child=DeviceRecentSearchSerializer(), max_length=SEARCH_LIMIT, required=False
    )


# Answers. The library goes out in the shape it comes in, so a client can send back what it got.


class DevicePlaylistOutSerializer(DevicePlaylistSerializer):
    updated_at = TimeField(help_text="The newest of the *_updated_at.")


class DeviceLibraryOutSerializer(serializers.Serializer):
    favorites = DeviceFavoriteSerializer(
        many=True, help_text="Removed ones included (removed_at set), for other devices."
    )
    history = DeviceHistoryEntrySerializer(many=True)
    queue = DeviceQueueSerializer(allow_null=True)
    playlists = DevicePlaylistOutSerializer(many=True, help_text="Deleted ones included (removed_at set).")
    preferences = DevicePreferencesSerializer(allow_null=True)
    recent_searches = DeviceRecentSearchSerializer(many=True)


class DeviceSyncResultSerializer(serializers.Serializer):
    library = DeviceLibraryOutSerializer(help_text="The merged library, as now stored.")
    playlist_ids = serializers.DictField(
        child=serializers.IntegerField(), help_text="For each playlist sent with a local_id: its server id."
    )


class DeviceChangesSerializer(serializers.Serializer):
    since = TimeField(help_text="As asked, in UTC.")
    server_time = TimeField(help_text="Pass as `since` next time: nothing is missed in between.")
    library = DeviceLibraryOutSerializer(help_text="Only what changed after `since`.")


class DeviceChangesQuerySerializer(StrictSerializer):
    since = TimeField(help_text="ISO 8601 with a zone; encode + as %2B (or use Z).")


class SessionPingSerializer(StrictSerializer):
    session_id = StrictCharField(max_length=64, help_text="Stable per app session, chosen by the device.")
    device = StrictCharField(max_length=100, help_text='A name for the device, e.g. "Kitchen speaker".')


class ActiveSessionSerializer(serializers.Serializer):
    session_id = serializers.CharField()
    device = serializers.CharField()
    last_seen = TimeField()
    current = serializers.BooleanField(help_text="The session that pinged.")


class SessionSummarySerializer(serializers.Serializer):
    active_sessions = ActiveSessionSerializer(many=True, help_text="Seen within the TTL, latest first.")
    multiple_sessions = serializers.BooleanField(help_text="More than one session is active.")
