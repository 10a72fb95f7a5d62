"""A named track's answer in the route preview: per child, whether a route would send it and why."""

from __future__ import annotations

from rest_framework import serializers

from routing.models import ChildMode


class VerdictSerializer(serializers.Serializer):
    condition = serializers.CharField(help_text="The condition in words: “release year is between 2010 and 2019”.")
    matched = serializers.BooleanField()
    found = serializers.CharField(help_text="What the track has for it: “released in 2014”.")
    sentence = serializers.CharField()


class ChildVerdictSerializer(serializers.Serializer):
    child_id = serializers.IntegerField()
    name = serializers.CharField()
    mode = serializers.ChoiceField(choices=ChildMode.choices)
    routed = serializers.BooleanField(help_text="A route now would give this child the track.")
    in_child = serializers.BooleanField(
        allow_null=True,
        help_text="The child holds it as last imported; null: the child was never imported.",
    )
    outcome = serializers.CharField(help_text="What a route would do with it there, the child's mode included.")
    reason = serializers.CharField(help_text="The conditions that decided, in words (or why none could).")
    reasons = VerdictSerializer(
        many=True,
        help_text=(
            "Those conditions one by one; empty when the track is not in the base or the child has no filters."
        ),
    )


class TrackVerdictSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The words the listener gave.")
    track_id = serializers.CharField(
        allow_null=True, help_text="The Spotify id of the track they name; null for a local file or episode."
    )
    name = serializers.CharField()
    artists = serializers.CharField()
    in_base = serializers.BooleanField()
    summary = serializers.CharField(
        help_text="One sentence: which children a route now would send it to, or why none."
    )
    also_named = serializers.IntegerField(
        help_text="Other items of the base the words name too; name it by its Spotify link to pick one."
    )
    children = ChildVerdictSerializer(
        many=True, help_text="Per child in routing order; empty for what is not a song."
    )
