from __future__ import annotations

from rest_framework import serializers

from accounts.models import ApiToken
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


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of your API tokens as listed: never its secret, which only its creation answers."""

    expired = serializers.SerializerMethodField(help_text="Past expires_at: requests with it get 401.")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "expired"]
        extra_kwargs = {
            "prefix": {"help_text": "The secret's first characters, to tell tokens apart; not enough to use."},
            "last_used_at": {"help_text": "The last request it authenticated, to the minute."},
            "expires_at": {"help_text": "When it stops working; null: until revoked."},
        }

    def get_expired(self, token: ApiToken) -> bool:
        return token.expired()


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        help_text='The secret, shown this once and never again: send it as "Authorization: Token <token>".'
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=ApiToken.NAME_MAX_LENGTH,
        help_text='The device or script that will use it ("phone", "laptop"); unique among your tokens.',
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When it stops working (future); null or absent: never.",
    )

    def validate(self, attrs: dict) -> dict:
        sent = self.initial_data if isinstance(self.initial_data, dict) else {}
        unknown = sorted(set(sent) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return attrs
