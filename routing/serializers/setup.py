"""Serializers of the routing set-up API (routing.api): bases, children, previews, filter fields.
Route runs, their status and backups are routing.serializers.runs.

Input serializers check only the shape of a request (types, choices, lengths); what a value
means (is this playlist yours, are these filters valid in this app mode, is the base busy)
is the services' word, so the page and the API refuse the same things with the same messages.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from library.serializers import PlaylistSerializer
from routing import selectors
from routing.display.filters import describe_artist_coverage, describe_genre_sources
from routing.filters import MATCH_ALL, MATCH_ANY, MAX_CONDITIONS, REGISTRY, empty_document
from routing.models import BasePlaylist, ChildMode, ChildPlaylist, WarmUpStatus
from routing.services.setup import NAME_MAX_LENGTH
from routing.serializers.runs import CacheCountersSerializer, RouteRunSerializer
from routing.serializers.why import TrackVerdictSerializer
from core.api_docs import ErrorSerializer
from core.api_input import IdField, JsonBody

FILTERS_HELP = (
    'A filter document: {"match": "all" | "any", "conditions": [{"field", "op", "value"} or groups]}. '
    "GET /api/filter-fields/ lists the fields of this server's Spotify app mode."
)


# --- what the API answers ----------------------------------------------------------------------
class ChildPlaylistSerializer(serializers.ModelSerializer):
    filters = serializers.JSONField(help_text="The normalised filter document, as stored.")

    class Meta:
        model = ChildPlaylist
        fields = [
            "id",
            "base",
            "spotify_id",
            "name",
            "playlist",
            "mode",
            "position",
            "filters",
            "routed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "playlist": {"help_text": "The mirrored playlist, once an import has seen it."},
            "routed_at": {
                "help_text": "When a route last finished it; until then a route removes nothing unasked."
            },
        }


class BasePlaylistSerializer(serializers.ModelSerializer):
    """A base playlist with its children in routing order and its route state."""

    # `route_state` (the active route and the newest finished one) is prefetched by
    # routing.api.bases, so a page of bases costs the same few queries whatever its size.

    playlist = PlaylistSerializer(
        read_only=True, allow_null=True, help_text="Null while the playlist is gone from your library."
    )
    disabled = serializers.BooleanField(
        source="is_disabled",
        read_only=True,
        help_text=(
            "Its playlist is no longer in your Spotify library (missed by two complete imports): "
            "nothing is routed; children and filters are kept until it comes back."
        ),
    )
    children = ChildPlaylistSerializer(many=True, read_only=True)
    active_route = serializers.SerializerMethodField(
        help_text="The id of the route queued or running now; set-up edits answer 409 until it ends."
    )
    last_route = serializers.SerializerMethodField(help_text="The newest finished route.")

    class Meta:
        model = BasePlaylist
        fields = [
            "id",
            "spotify_id",
            "name",
            "playlist",
            "disabled",
            "notice",
            "first_match_only",
            "auto_route_after_import",
            "children",
            "active_route",
            "last_route",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": "The playlist's name as last seen on Spotify."},
            "notice": {"help_text": "Something Linernotes changed in this set-up on its own."},
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_active_route(self, base: BasePlaylist) -> int | None:
        active, _ = selectors.route_state(base=base)
        return active.pk if active else None

    @extend_schema_field(RouteRunSerializer(allow_null=True))
    def get_last_route(self, base: BasePlaylist) -> dict | None:
        _, last = selectors.route_state(base=base)
        return RouteRunSerializer(last).data if last else None


class TrackLineSerializer(serializers.Serializer):
    uri = serializers.CharField()
    track_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    artists = serializers.CharField()


class ChildPreviewSerializer(serializers.Serializer):
    child_id = serializers.IntegerField(allow_null=True, help_text="Null: the draft of a new child.")
    name = serializers.CharField()
    mode = serializers.ChoiceField(choices=ChildMode.choices)
    matching = serializers.IntegerField(help_text="Base tracks the filters match: the child's target size.")
    current = serializers.IntegerField(
        allow_null=True, help_text="Tracks it holds on Spotify now; null when read_children was false."
    )
    add = TrackLineSerializer(many=True, allow_null=True, help_text="What a route would add, in order.")
    remove = TrackLineSerializer(many=True, allow_null=True, help_text="What a route would remove.")
    genre_sources = serializers.DictField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text=(
            "Of the matching tracks: how many have their genres from Spotify's artists (spotify), "
            "from the song analysis where Spotify gives none (analysis), or neither (none). "
            "Null when the filters use no genre."
        ),
    )
    genre_note = serializers.SerializerMethodField(
        help_text="genre_sources in words, e.g. “12 tracks by Spotify's artist genres, 30 by song analysis”."
    )

    def get_genre_note(self, preview) -> str:
        return describe_genre_sources(preview.genre_sources)


class WarmUpSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=WarmUpStatus.choices)
    active = serializers.BooleanField(source="is_active", help_text="Queued, running or postponed.")
    requested_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    resume_at = serializers.DateTimeField(
        allow_null=True, help_text="Postponed by Spotify's rate limit: when it goes on by itself."
    )
    looked_up = serializers.IntegerField(help_text="Artists Spotify answered for in this warm-up.")
    error = serializers.CharField(help_text="Why it failed; empty otherwise.")


class ArtistCoverageSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Artists credited on the base's tracks.")
    pending = serializers.IntegerField(
        help_text="Never looked up on Spotify: their genres count as none until the warm-up is done."
    )
    unknown = serializers.IntegerField(help_text="Unknown to Spotify (404): they have no genres.")
    warm_up = WarmUpSerializer(
        allow_null=True, help_text="The base's artist lookup in the background; null: never asked."
    )
    note = serializers.SerializerMethodField(
        help_text="In words, e.g. “12 artists not looked up yet; counts will update.”; empty when complete."
    )

    def get_note(self, coverage) -> str:
        return describe_artist_coverage(coverage)


class RoutePreviewSerializer(serializers.Serializer):
    base_tracks = serializers.IntegerField()
    children = ChildPreviewSerializer(
        many=True, help_text="The children in routing order, with the draft applied (a new child last)."
    )
    draft = ChildPreviewSerializer(allow_null=True, help_text="The draft's own preview, when there is one.")
    spotify_requests = serializers.IntegerField(
        help_text="Requests this preview made: 0 unless read_children (artists are never looked up here)."
    )
    cache = CacheCountersSerializer(help_text="The artist metadata cache, for this preview.")
    mirror_as_of = serializers.DateTimeField(
        allow_null=True, help_text="When the base's items were last imported: the preview reads the mirror."
    )
    track = TrackVerdictSerializer(
        allow_null=True,
        required=False,
        help_text=(
            "For the track the request named (else null): per child, whether a route would send it and why."
        ),
    )
    artists = ArtistCoverageSerializer(
        allow_null=True,
        help_text=(
            "How many of the base's artists the counts knew, when a filter reads their genres (else "
            "null). The preview never asks Spotify: it queues the lookup of the pending ones, and "
            "GET /api/base-playlists/{id}/metadata says when it is done."
        ),
    )


class WidgetSerializer(serializers.Serializer):
    type = serializers.CharField()
    unit = serializers.CharField(required=False)
    min = serializers.IntegerField(required=False)
    max = serializers.IntegerField(required=False)
    step = serializers.IntegerField(required=False)
    source = serializers.CharField(required=False, help_text="Where the editor looks up choices.")
    suggestions = serializers.ListField(child=serializers.CharField(), required=False)
    placeholder = serializers.CharField(required=False)


class OperatorSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class FilterFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    help_text = serializers.CharField()
    operators = OperatorSerializer(many=True)
    widget = WidgetSerializer()
    needs = serializers.ListField(child=serializers.CharField(), help_text="Metadata a route loads for it.")
    modes = serializers.ListField(child=serializers.CharField(), help_text="Spotify app modes offering it.")


class FilterFieldsSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="This server's Spotify app mode.")
    fields = FilterFieldSerializer(many=True)


class RoutingConflictSerializer(ErrorSerializer):
    active_event = serializers.IntegerField(
        required=False, help_text="The route queued or running, when that is the conflict."
    )
    existing = serializers.IntegerField(
        required=False, help_text="The base or child that already exists, when that is the conflict."
    )


# --- what the API is sent ----------------------------------------------------------------------
# Patterns the schema shows; the services check the same (routing.services.setup).
SPOTIFY_ID = RegexValidator(r"^[A-Za-z0-9]{1,64}$", "That is not a Spotify playlist id (letters and digits).")

# A filter document's shape (routing.filters.document): what the schema can say. Which operators
# a field takes, its values, the fields of this server's app mode and the 50 conditions in all
# (groups included) are the server's word: a 400 at the condition (GET /api/filter-fields/).
_MATCH = {"type": "string", "enum": [MATCH_ALL, MATCH_ANY]}
_CONDITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field", "op", "value"],
    "properties": {
        "field": {"type": "string", "enum": REGISTRY.names()},
        "op": {"type": "string", "minLength": 1},
        "value": {"description": "As the field's operator takes it (GET /api/filter-fields/)."},
    },
}
_GROUP = {
    "type": "object",
    "additionalProperties": False,
    "required": ["match", "conditions"],
    "properties": {
        "match": _MATCH,
        "conditions": {"type": "array", "minItems": 1, "maxItems": MAX_CONDITIONS, "items": _CONDITION},
    },
}
FILTER_DOCUMENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["match", "conditions"],
    "properties": {
        "match": _MATCH,
        "conditions": {"type": "array", "maxItems": MAX_CONDITIONS, "items": {"oneOf": [_CONDITION, _GROUP]}},
    },
}


@extend_schema_field(FILTER_DOCUMENT)
class FiltersField(serializers.JSONField):
    """A filter document in a request; its shape is in the schema (FILTER_DOCUMENT)."""


class BaseCreateSerializer(JsonBody):
    playlist = IdField(help_text="The id of one of your imported playlists (/api/library/playlists/).")
    first_match_only = serializers.BooleanField(default=False)
    auto_route_after_import = serializers.BooleanField(default=False)


class BaseUpdateSerializer(JsonBody):
    first_match_only = serializers.BooleanField(required=False)
    auto_route_after_import = serializers.BooleanField(required=False)


class ChildCreateSerializer(JsonBody):
    spotify_id = serializers.CharField(
        required=False,
        max_length=64,
        validators=[SPOTIFY_ID],
        help_text=(
            "Attach this playlist you own (its id from its Spotify link). It must be in your library "
            "as last imported (GET /api/library/playlists/): a playlist made on Spotify since is "
            "refused until an import has seen it (400)."
        ),
    )
    create = serializers.BooleanField(default=False, help_text="Make a new playlist on Spotify instead.")
    public = serializers.BooleanField(default=False, help_text="With create: make the new playlist public.")
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    mode = serializers.ChoiceField(
        choices=ChildMode.choices,
        required=False,
        help_text=(
            "Left out: rebuild for a new or empty playlist, add_only for one that holds tracks "
            "(nothing of it is ever removed)."
        ),
    )
    replace_contents = serializers.BooleanField(
        default=False,
        help_text=(
            "Required with mode rebuild for a playlist that holds tracks (as last imported): the "
            "first route replaces its contents with the base's matching tracks (else 400)."
        ),
    )
    filters = FiltersField(default=empty_document, help_text=FILTERS_HELP)

    def validate(self, attrs: dict) -> dict:
        if attrs["create"] == ("spotify_id" in attrs):
            raise serializers.ValidationError(
                "Send either spotify_id (attach a playlist you own) or create: true (make a new one)."
            )
        return attrs


class ChildUpdateSerializer(JsonBody):
    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    mode = serializers.ChoiceField(choices=ChildMode.choices, required=False)
    replace_contents = serializers.BooleanField(
        default=False, help_text="Required to switch an add-only child that holds tracks to rebuild."
    )
    filters = FiltersField(required=False, help_text=FILTERS_HELP)


class ChildOrderSerializer(JsonBody):
    children = serializers.ListField(
        child=IdField(), help_text="Every child id of the base, once each, in the new order (else 400)."
    )


class PreviewRequestSerializer(JsonBody):
    filters = FiltersField(required=False, allow_null=True, help_text="Draft filters. " + FILTERS_HELP)
    child = IdField(
        required=False, allow_null=True, help_text="The child the draft replaces; none: a new child."
    )
    mode = serializers.ChoiceField(
        choices=ChildMode.choices, required=False, allow_null=True, help_text="The draft's mode."
    )
    read_children = serializers.BooleanField(
        default=True, help_text="Read the children on Spotify to list additions and removals."
    )
    track = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=300,
        help_text=(
            "A track to explain: its name, or its Spotify link, URI or id, looked up among the base's "
            "items. The answer's `track` says per child whether a route would send it and why."
        ),
    )
