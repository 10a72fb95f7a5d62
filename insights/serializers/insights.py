"""What the insights API reads and says of generated insights."""

from __future__ import annotations

from rest_framework import serializers

from core.api_input import IdField, JsonBody, QuerySerializer
from insights.models import GeneratedInsight, InsightKind, InsightTone

KIND_MESSAGE = "Choose one of: " + ", ".join(InsightKind.values) + "."
TONE_MESSAGE = "Choose one of: " + ", ".join(InsightTone.values) + "."


def _kind_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=InsightKind.choices, error_messages={"invalid_choice": KIND_MESSAGE}, **kwargs
    )


def _tone_field(**kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=InsightTone.choices, error_messages={"invalid_choice": TONE_MESSAGE}, **kwargs
    )


class HighlightSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class GeneratedInsightSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="kind", help_text="wellness, roast, productivity or weekly_summary.")
    paragraphs = serializers.ListField(child=serializers.CharField())
    highlights = HighlightSerializer(many=True)
    generation_ms = serializers.IntegerField(
        allow_null=True, help_text="How long the LLM took, fail-overs and repairs included."
    )
    generation = serializers.IntegerField(help_text="How many times it was written (regenerate adds one).")
    error = serializers.CharField(
        help_text="Why it failed, or why it waits (every LLM provider down); empty otherwise."
    )
    grounding = serializers.JSONField(
        help_text="What the text was checked against: the facts block the model was given (facts), "
        "the names and numbers found in the text and in the facts (names, numbers), the provider, "
        "attempts and the providers passed over. Empty for an insight written before the check."
    )

    class Meta:
        model = GeneratedInsight
        fields = [
            "id", "snapshot", "type", "tone", "prompt_version", "status", "headline", "paragraphs",
            "highlights", "provider", "model", "prompt_tokens", "completion_tokens", "generation_ms",
            "generation", "error", "grounding", "task_id", "created_at", "generated_at",
        ]  # fmt: skip
        read_only_fields = fields


class GenerateInsightRequestSerializer(JsonBody):
    snapshot = IdField(help_text="One of your listening snapshots.")
    type = _kind_field(help_text="What to write: " + ", ".join(InsightKind.values) + ".")
    tone = _tone_field(default=InsightTone.NEUTRAL, help_text="How to write it (neutral when left out).")


class InsightJobSerializer(serializers.Serializer):
    insight = GeneratedInsightSerializer()
    task_id = serializers.CharField(
        allow_null=True, help_text="The task writing it, while it is queued or running; null when written."
    )
    status_url = serializers.CharField(
        allow_null=True, help_text="Where to follow that task (/api/tasks/{task_id}); null when written."
    )


class InsightFilterSerializer(QuerySerializer):
    type = _kind_field(required=False, help_text="Only this type.")
    tone = _tone_field(required=False, help_text="Only this tone.")
    snapshot = IdField(required=False, help_text="Only from this snapshot.")
