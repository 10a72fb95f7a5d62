from __future__ import annotations

from rest_framework import serializers

from accounts.selectors import ConnectionStatus


class MeSerializer(serializers.Serializer):
    """The signed-in user and the state of their Spotify connection. Never any token."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    spotify_user_id = serializers.CharField(allow_null=True)
    connection_state = serializers.ChoiceField(choices=ConnectionStatus.choices)
    token_expires_at = serializers.DateTimeField(allow_null=True)
    rate_limited_until = serializers.DateTimeField(allow_null=True)
    reconnect_reason = serializers.CharField(allow_blank=True)


class ApiTokenRequestSerializer(serializers.Serializer):
    rotate = serializers.BooleanField(default=False, help_text="Replace the existing token.")


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text='Send as "Authorization: Token <token>".')
    created = serializers.BooleanField()
