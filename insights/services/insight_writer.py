"""LLM-written insights from a listening snapshot: requesting, regenerating and writing them.
The prompt, its schema and the checks beyond it are insights.services.insight_prompt.

- One row per (snapshot, kind, tone, PROMPT_VERSION): asking again is served from the row
  (no LLM call, no task), which is the cost saving the design promised; "regenerate" queues
  the same row again and the task rewrites it in place (`generation` counts the writes).
- The row is a run of core.runs: the task claims it (a duplicate delivery finds nothing to
  claim), and the answer is written by the claim's one UPDATE, so a row is never half-written;
  an unusable answer or a refused request leaves the last good text and says why.
- Every answer is checked against the facts block it was written from (insight_grounding): an
  ungrounded one is repaired once, then the next provider is asked (the router's `check`); with
  none grounded the run fails with the reason and keeps the last good text, never a new one.
- When no provider can answer (AllProvidersDown) the run is postponed (queued again with a
  Django-Q ONCE schedule at now + retry_after), like an analysis batch: retried later, not failed.
- A row whose task or worker was lost (core.runs' one rule) is queued again by the next request.
- A written row is not regenerated within INSIGHT_REGENERATE_COOLDOWN seconds of its
  `generated_at` (RegeneratedTooSoon, 429): each regeneration is a paid LLM call, and the
  per-listener limit (insights.throttles) alone would let one insight be rewritten 30 times an hour.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from core.errors import DomainError, wait_in_words
from accounts.models import User
from core import recovery, runs
from core.runs import RunStatus
from insights.models import GeneratedInsight, InsightKind, InsightTone, ListeningSnapshot, TimeRange
from insights.services.insight_prompt import (
    INSIGHT_SCHEMA,
    PROMPT_VERSION,
    PURPOSE,
    SCHEMA_NAME,
    Answer,
    AnswerInvalid,
    build_messages,
    prompt_facts,
)
from insights.services.insight_grounding import InsightCheck
from insights.services.snapshots import snapshot_basis
from llm.models import Provider
from llm.services import AllProvidersDown, AnswersRefused, LLMResult, RequestRejected, complete_json

logger = logging.getLogger(__name__)

GENERATE_INSIGHT_TASK = GeneratedInsight.run_task
ERROR_LIMIT = runs.ERROR_LIMIT
UNEXPECTED_MESSAGE = "Writing the insight stopped on an unexpected error (details are in the server log)."
ACTIVE = [RunStatus.QUEUED, RunStatus.RUNNING]


class InsightError(DomainError):
    """An insight cannot be requested; the message says why."""

    status = 409


class SnapshotNotYours(InsightError):
    status = 404


class NoProvider(InsightError):
    status = 409


class RegeneratedTooSoon(InsightError):
    """Written moments ago: it is written again once the cooldown since then has passed."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- requests --------------------------------------------------------------------------------


def request_insight(
    *, user: User, snapshot: ListeningSnapshot, kind: str, tone: str
) -> tuple[GeneratedInsight, bool]:
    """The insight for (snapshot, kind, tone) under PROMPT_VERSION, and whether a task was queued
    now. A written one is returned as it is (no LLM call); a queued or running one too; a
    failed one is queued again; none yet → created and queued."""
    if snapshot.user_id != user.pk:
        raise SnapshotNotYours("No such snapshot of yours.")
    key = {"snapshot": snapshot, "kind": kind, "tone": tone, "prompt_version": PROMPT_VERSION}
    insight = GeneratedInsight.objects.filter(**key).first()
    if insight is None:
        _require_provider()
        try:
            with transaction.atomic():
                insight = GeneratedInsight.objects.create(user=user, status=RunStatus.QUEUED, **key)
                runs.enqueue_on_commit(insight)
            return insight, True
        except IntegrityError:
            insight = GeneratedInsight.objects.get(**key)  # a concurrent request created it first
    if insight.status == RunStatus.FAILED:
        return _queue_again(insight=insight, from_statuses=[RunStatus.FAILED])
    if _stale(insight):
        return _queue_again(insight=insight, from_statuses=[RunStatus.SUCCEEDED])
    if recovery.looks_lost(insight):
        return _queue_again(insight=insight, from_statuses=ACTIVE, lost=True)
    return insight, False


def regenerate_insight(*, user: User, insight: GeneratedInsight) -> tuple[GeneratedInsight, bool]:
    """Queue a written (or failed) insight again; the task rewrites it in place. One still
    queued or running is returned as it is: its answer is on the way."""
    if insight.user_id != user.pk:
        raise InsightError("No such insight of yours.")
    if insight.prompt_version != PROMPT_VERSION:
        # An old prompt's row stays as it was; regenerating means writing under today's prompt.
        current, queued = request_insight(
            user=user, snapshot=insight.snapshot, kind=insight.kind, tone=insight.tone
        )
        if queued or current.status != RunStatus.SUCCEEDED:
            return current, queued
        insight = current
    if recovery.looks_lost(insight):
        return _queue_again(insight=insight, from_statuses=ACTIVE, lost=True)
    now = timezone.now()
    _refuse_within_cooldown(insight, now=now)
    insight, queued = _queue_again(
        insight=insight,
        from_statuses=[RunStatus.SUCCEEDED, RunStatus.FAILED],
        written_before=now - _cooldown(),
    )
    if not queued:
        _refuse_within_cooldown(insight, now=now)  # another regeneration was written meanwhile
    return insight, queued


def generate_weekly_summaries() -> tuple[int, int]:
    """A neutral weekly summary of every active listener's latest short-term snapshot:
    (queued now, already written or under way). Rows that exist cost no LLM call."""
    if not Provider.objects.filter(enabled=True).exists():
        return 0, 0
    latest = ListeningSnapshot.objects.filter(user_id=OuterRef("user_id"), time_range=TimeRange.SHORT)
    snapshots = ListeningSnapshot.objects.filter(
        time_range=TimeRange.SHORT,
        user__is_active=True,
        pk=Subquery(latest.order_by("-snapshot_date").values("pk")[:1]),
    ).select_related("user")
    queued = existing = 0
    # Each summary is its own run (its own task, time limit and failure record): this round only
    # writes the rows, and one listener's trouble here must not cost the others their summary.
    for snapshot in snapshots.iterator(chunk_size=200):
        try:
            _, created = request_insight(
                user=snapshot.user, snapshot=snapshot, kind=InsightKind.WEEKLY_SUMMARY, tone=InsightTone.NEUTRAL
            )
        except Exception:
            logger.exception("Could not queue the weekly summary of user %s", snapshot.user_id)
            continue
        queued, existing = queued + created, existing + (not created)
    return queued, existing


def queue_wellness_insight(*, snapshot: ListeningSnapshot) -> GeneratedInsight | None:
    """The wellness insight the Insights page opens with, asked for after a listening ingest so
    a listener finds one written without asking. Never raises: the ingest's own work is done."""
    try:
        insight, _ = request_insight(
            user=snapshot.user, snapshot=snapshot, kind=InsightKind.WELLNESS, tone=InsightTone.NEUTRAL
        )
    except NoProvider:
        return None
    except Exception:
        logger.exception("Could not queue the wellness insight of snapshot %s", snapshot.pk)
        return None
    return insight


def _require_provider() -> None:
    # Without any provider a row would only wait for ever; say so now instead.
    if not Provider.objects.filter(enabled=True).exists():
        raise NoProvider(
            "No LLM provider is set up, so insights cannot be written yet. Ask your admin to add one."
        )


def _cooldown() -> timedelta:
    return timedelta(seconds=settings.INSIGHT_REGENERATE_COOLDOWN)


def _refuse_within_cooldown(insight: GeneratedInsight, *, now: datetime) -> None:
    """Raise RegeneratedTooSoon for a written insight younger than the cooldown. A failed one may
    be asked again at once (its last attempt gave the listener nothing); the row's own time
    decides, so every web process and a cleared cache agree."""
    cooldown = _cooldown()
    if insight.status != RunStatus.SUCCEEDED or insight.generated_at is None or not cooldown:
        return
    ready_at = insight.generated_at + cooldown
    if now >= ready_at:
        return
    wait = (ready_at - now).total_seconds()
    raise RegeneratedTooSoon(
        f"This insight was written less than {wait_in_words(cooldown.total_seconds())} ago; "
        f"it can be written again in {wait_in_words(wait)}.",
        retry_after=max(1, math.ceil(wait)),
    )


def _stale(insight: GeneratedInsight) -> bool:
    """Written from figures the snapshot no longer holds (the day's ingest ran again since)."""
    return insight.status == RunStatus.SUCCEEDED and insight.basis != snapshot_basis(insight.snapshot)


def _queue_again(
    *,
    insight: GeneratedInsight,
    from_statuses: list[str],
    lost: bool = False,
    written_before: datetime | None = None,
) -> tuple[GeneratedInsight, bool]:
    _require_provider()
    rows = GeneratedInsight.objects.filter(pk=insight.pk, status__in=from_statuses)
    if written_before is not None:
        # The cooldown, re-checked by the UPDATE: a regeneration written since the caller read the
        # row is not followed by another.
        rows = rows.exclude(status=RunStatus.SUCCEEDED, generated_at__gt=written_before)
    if lost:
        # Re-checked by the UPDATE: a worker that finished meanwhile keeps its row.
        rows = rows.filter(recovery.lost_filter(GeneratedInsight))
    with transaction.atomic():
        queued = rows.update(
            status=RunStatus.QUEUED, error="", claimed_by="", resume_at=None, finished_at=None
        )
        if queued:
            runs.enqueue_on_commit(insight)
    insight.refresh_from_db()
    return insight, bool(queued)


# --- the task's work -------------------------------------------------------------------------


def write_insight(*, insight_id: int) -> GeneratedInsight | None:
    """Claim a queued insight and write it; None when there is no such row."""
    claim = runs.claim(GeneratedInsight, pk=insight_id)
    if claim is None:
        return GeneratedInsight.objects.filter(pk=insight_id).first()  # a duplicate delivery, or gone
    insight = GeneratedInsight.objects.select_related("snapshot").get(pk=insight_id)
    try:
        facts = prompt_facts(snapshot=insight.snapshot, kind=insight.kind)
        messages = build_messages(snapshot=insight.snapshot, kind=insight.kind, tone=insight.tone,
                                  generation=insight.generation, facts=facts)  # fmt: skip
        # Every answer is checked against the facts block it was written from (and the rules beyond
        # the schema, e.g. Spotify's #1 with no play did not "lead"): the router repairs a refused
        # answer once, then asks the next provider.
        check = InsightCheck(snapshot=insight.snapshot, facts=facts)
        result = complete_json(
            messages=messages, schema=INSIGHT_SCHEMA, schema_name=SCHEMA_NAME, purpose=PURPOSE, check=check
        )
        answer = check.accepted(result.data)
    except AllProvidersDown as exc:
        resume_at = timezone.now() + timedelta(seconds=max(1, exc.retry_after))
        claim.postpone(resume_at=resume_at, error=f"Waiting for an LLM provider: {exc}"[:ERROR_LIMIT])
    except RequestRejected as exc:
        claim.fail(f"Every LLM provider refused the request: {exc}")
    except AnswersRefused as exc:
        # Nothing ungrounded is ever stored: the last good text (if any) stays, with the reason.
        claim.fail(f"No LLM provider wrote an insight that keeps to your listening's facts: {exc}"[:ERROR_LIMIT])
    except AnswerInvalid as exc:
        claim.fail(f"The LLM's answer was unusable: {exc}")
    except Exception:
        logger.exception("Insight #%s stopped on an unexpected error.", insight_id)
        claim.fail(UNEXPECTED_MESSAGE)
        raise
    else:
        store_answer(claim=claim, answer=answer, result=result, basis=snapshot_basis(insight.snapshot),
                     grounding=check.record(answer=answer, result=result))  # fmt: skip
    return GeneratedInsight.objects.get(pk=insight_id)


def store_answer(
    *, claim: runs.Claim, answer: Answer, result: LLMResult, basis: str = "", grounding: dict | None = None
) -> bool:
    """Write the whole answer, and what it was checked against, in one UPDATE; False when the
    row is no longer this worker's."""
    return claim.succeed(
        basis=basis,
        grounding=grounding or {},
        headline=answer.headline,
        paragraphs=answer.paragraphs,
        highlights=answer.highlights,
        provider=result.provider[:64],
        model=result.model[:200],
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        generation_ms=result.latency_ms,
        generation=F("generation") + 1,
        generated_at=timezone.now(),
        error="",
    )
