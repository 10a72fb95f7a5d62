"""The router's status as the staff API shows it. No field can carry an API key."""

from __future__ import annotations

from rest_framework import serializers

from llm.models import CircuitState, ProviderKind


class ProviderStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    # Plain strings with the values listed: a ChoiceField would add a "kind"/"state" enum
    # whose name collides with other apps' in the schema.
    kind = serializers.CharField(help_text=f"One of: {', '.join(ProviderKind.values)}.")
    model = serializers.CharField()
    priority = serializers.IntegerField(help_text="Lower is preferred.")
    enabled = serializers.BooleanField()
    has_api_key = serializers.BooleanField(
        help_text="Whether a key is stored; the key itself is never shown."
    )
    state = serializers.CharField(help_text=f"Circuit state, one of: {', '.join(CircuitState.values)}.")
    available = serializers.BooleanField(help_text="Whether the next request would try it.")
    consecutive_failures = serializers.IntegerField()
    opened_until = serializers.DateTimeField(allow_null=True, help_text="End of the cooldown while open.")
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_check_ok = serializers.BooleanField(allow_null=True)
    last_latency_ms = serializers.IntegerField(allow_null=True, help_text="Of the last call or check.")
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_failure_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    forced = serializers.BooleanField()
    current = serializers.BooleanField()


class RouterStatusSerializer(serializers.Serializer):
    providers = ProviderStatusSerializer(many=True)
    current = serializers.CharField(
        allow_null=True, help_text="The provider that answered the latest request."
    )
    forced = serializers.CharField(
        allow_null=True, help_text="Tried first whatever its priority, until reset."
    )
    forced_unavailable = serializers.BooleanField(
        help_text="The forced provider is down or disabled: requests fail over meanwhile."
    )
    next = serializers.CharField(allow_null=True, help_text="The provider the next request tries first.")


class ForceProviderSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=64, help_text="A provider's name.")
