"""Reads of generated insights, always the user's own: one insight, a list, the page's cards."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, DateTimeField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.runs import RunStatus
from insights.models import GeneratedInsight, InsightKind, InsightTone, ListeningSnapshot
from insights.services.insight_writer import PROMPT_VERSION

# The order of the cards on the insights page: wellness first, the one the demo shows.
CARD_KINDS = (InsightKind.WELLNESS, InsightKind.WEEKLY_SUMMARY, InsightKind.PRODUCTIVITY, InsightKind.ROAST)
ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


def get_insight(*, user: User, insight_id: int) -> GeneratedInsight | None:
    return GeneratedInsight.objects.filter(user=user, pk=insight_id).first()


def own_snapshot(*, user: User, snapshot_id: int) -> ListeningSnapshot | None:
    """The user's snapshot; another user's is None, like one that does not exist."""
    return ListeningSnapshot.objects.filter(user=user, pk=snapshot_id).first()


def list_insights(
    *, user: User, kind: str | None = None, tone: str | None = None, snapshot_id: int | None = None
) -> QuerySet[GeneratedInsight]:
    """The user's insights, newest first."""
    insights = GeneratedInsight.objects.filter(user=user)
    if kind:
        insights = insights.filter(kind=kind)
    if tone:
        insights = insights.filter(tone=tone)
    if snapshot_id:
        insights = insights.filter(snapshot_id=snapshot_id)
    return insights.order_by("-created_at", "-id")


@dataclass(frozen=True)
class InsightCard:
    """One kind's card: the insight it shows (or None yet) and what its form needs."""

    kind: str
    label: str
    insight: GeneratedInsight | None
    tone: str  # preselected in the tone select: the shown insight's, else neutral
    tones: list[tuple[str, str]]
    poll_url: str  # the API the card's script polls while the insight is being written; "" when not
    # When the shown insight may be written again (INSIGHT_REGENERATE_COOLDOWN after it was
    # written); None when it may be now. The card says so beside its button.
    regenerate_from: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.insight is not None and self.insight.status in ACTIVE_STATUSES

    @property
    def is_done(self) -> bool:
        return self.insight is not None and self.insight.status == RunStatus.SUCCEEDED

    @property
    def has_text(self) -> bool:
        # A failed regeneration keeps the last good text: still worth showing.
        return self.insight is not None and bool(self.insight.headline)


def tone_param(kind: str) -> str:
    """The query parameter that picks a card's tone (`?tone-wellness=playful`)."""
    return f"tone-{kind}"


def insight_cards(
    *, user: User, snapshot: ListeningSnapshot, chosen: Mapping[str, str] | None = None
) -> list[InsightCard]:
    """One card per kind for the snapshot, in CARD_KINDS order, from one query.

    A card shows the tone named in `chosen` (the page may pass `request.GET`: the Generate
    buttons redirect back with `tone-<kind>=<tone>`) when that tone has an insight; otherwise
    the one being written, else the one written last.
    """
    rows = (
        GeneratedInsight.objects.filter(user=user, snapshot=snapshot, prompt_version=PROMPT_VERSION)
        .annotate(
            active=Case(
                When(status__in=ACTIVE_STATUSES, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
            touched=Coalesce("generated_at", "created_at", output_field=DateTimeField()),
        )
        .order_by("-active", "-touched", "-id")
    )
    by_kind: dict[str, list[GeneratedInsight]] = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row)
    chosen = chosen or {}
    cooldown = timedelta(seconds=settings.INSIGHT_REGENERATE_COOLDOWN)
    now = timezone.now()
    cards = []
    for kind in CARD_KINDS:
        candidates = by_kind.get(kind, [])
        wanted = chosen.get(tone_param(kind))
        insight = next((row for row in candidates if row.tone == wanted), None) or next(
            iter(candidates), None
        )
        tone = insight.tone if insight else (wanted if wanted in InsightTone.values else InsightTone.NEUTRAL)
        active = insight is not None and insight.status in ACTIVE_STATUSES
        ready_at = (
            insight.generated_at + cooldown
            if insight is not None and insight.status == RunStatus.SUCCEEDED and insight.generated_at
            else None
        )
        cards.append(
            InsightCard(
                kind=kind,
                label=InsightKind(kind).label,
                insight=insight,
                tone=tone,
                tones=list(InsightTone.choices),
                poll_url=reverse("api-insight", args=[insight.pk]) if active else "",
                regenerate_from=ready_at if ready_at is not None and ready_at > now else None,
            )
        )
    return cards
