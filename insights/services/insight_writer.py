"""LLM-written insights from a listening snapshot: requesting, regenerating and writing them.
The prompt, its schema and the checks beyond it are insights.services.insight_prompt.

- One row per (snapshot, kind, tone, PROMPT_VERSION): asking again is served from the row
  (no LLM call, no task), which is the cost saving the design promised; "regenerate" queues
  the same row again and the task rewrites it in place (`generation` counts the writes).
- The task claims the row with one conditional UPDATE (queued → running): a duplicate
  delivery finds nothing to claim. The answer is written by one UPDATE, so a row is never
  half-written; an unusable answer or a refused request leaves the last good text and says why.
- When no provider can answer (AllProvidersDown) the row goes back to queued with a Django-Q
  ONCE schedule at now + retry_after, like an analysis batch: retried later, not failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import User
from core.schedules import schedule_once
from insights.models import (
    GeneratedInsight,
    InsightKind,
    InsightStatus,
    InsightTone,
    ListeningSnapshot,
    TimeRange,
)
from insights.services.insight_prompt import (
    INSIGHT_SCHEMA,
    PROMPT_VERSION,
    PURPOSE,
    SCHEMA_NAME,
    Answer,
    AnswerInvalid,
    build_messages,
    validate_answer,
)
from insights.services.snapshots import snapshot_basis
from llm.models import Provider
from llm.services import AllProvidersDown, LLMResult, RequestRejected, complete_json

logger = logging.getLogger(__name__)

GENERATE_INSIGHT_TASK = "insights.tasks.generate_insight"
ERROR_LIMIT = 2000
UNEXPECTED_MESSAGE = "Writing the insight stopped on an unexpected error (details are in the server log)."
ENQUEUE_FAILED_REASON = "The insight could not be queued (the task broker did not answer); try again."
# One LLM request with fail-over takes minutes at worst; a row running for longer (and longer
# than Q_TIMEOUT) lost its worker. A queued row whose task has not come within the hour lost it.
LOST_AFTER = timedelta(minutes=10)
QUEUED_LOST_AFTER = timedelta(hours=1)
ACTIVE = [InsightStatus.QUEUED, InsightStatus.RUNNING]


class InsightError(Exception):
    """An insight cannot be requested (the API answers 404 or 409 with the message)."""


class SnapshotNotYours(InsightError):
    pass


class NoProvider(InsightError):
    pass


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
                insight = GeneratedInsight.objects.create(
                    user=user, status=InsightStatus.QUEUED, queued_at=timezone.now(), **key
                )
                _enqueue_after_commit(insight_id=insight.pk)
            return insight, True
        except IntegrityError:
            insight = GeneratedInsight.objects.get(**key)  # a concurrent request created it first
    if insight.status == InsightStatus.FAILED:
        return _queue_again(insight=insight, from_statuses=[InsightStatus.FAILED])
    if _stale(insight):
        return _queue_again(insight=insight, from_statuses=[InsightStatus.DONE])
    if _lost(insight):
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
        if queued or current.status != InsightStatus.DONE:
            return current, queued
        insight = current
    if _lost(insight):
        return _queue_again(insight=insight, from_statuses=ACTIVE, lost=True)
    return _queue_again(insight=insight, from_statuses=[InsightStatus.DONE, InsightStatus.FAILED])


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
    for snapshot in snapshots:
        _, created = request_insight(
            user=snapshot.user, snapshot=snapshot, kind=InsightKind.WEEKLY_SUMMARY, tone=InsightTone.NEUTRAL
        )
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


def _lost_after() -> timedelta:
    # Longer than a task may run (Q_TIMEOUT): a slow worker still inside it is not "lost".
    return max(LOST_AFTER, timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60))


def _lost_filter() -> Q:
    """Running since before a task could still be running, or queued (or due) an hour ago."""
    now = timezone.now()
    return Q(status=InsightStatus.RUNNING, started_at__lt=now - _lost_after()) | Q(
        status=InsightStatus.QUEUED, queued_at__lt=now - QUEUED_LOST_AFTER
    )


def _lost(insight: GeneratedInsight) -> bool:
    """Its worker died mid-call, or its task never came (the broker lost it): _lost_filter on
    the row in hand (no query; the queueing UPDATE checks the filter again)."""
    now = timezone.now()
    if insight.status == InsightStatus.RUNNING:
        return insight.started_at is not None and insight.started_at < now - _lost_after()
    if insight.status == InsightStatus.QUEUED:
        return insight.queued_at is not None and insight.queued_at < now - QUEUED_LOST_AFTER
    return False


def _stale(insight: GeneratedInsight) -> bool:
    """Written from figures the snapshot no longer holds (the day's ingest ran again since)."""
    return insight.status == InsightStatus.DONE and insight.basis != snapshot_basis(insight.snapshot)


def _queue_again(
    *, insight: GeneratedInsight, from_statuses: list[str], lost: bool = False
) -> tuple[GeneratedInsight, bool]:
    _require_provider()
    rows = GeneratedInsight.objects.filter(pk=insight.pk, status__in=from_statuses)
    if lost:
        # Re-checked by the UPDATE: a worker that finished meanwhile keeps its row.
        rows = rows.filter(_lost_filter())
    with transaction.atomic():
        queued = rows.update(status=InsightStatus.QUEUED, error="", queued_at=timezone.now())
        if queued:
            _enqueue_after_commit(insight_id=insight.pk)
    insight.refresh_from_db()
    return insight, bool(queued)


def _enqueue_after_commit(*, insight_id: int) -> None:
    transaction.on_commit(lambda: _enqueue_now(insight_id=insight_id))


def _enqueue_now(*, insight_id: int) -> None:
    try:
        task_id = async_task(GENERATE_INSIGHT_TASK, insight_id)
    except Exception:  # any broker failure
        logger.exception("Could not enqueue insight #%s", insight_id)
        # Failed, so the next request queues it again instead of waiting on a task that never was.
        GeneratedInsight.objects.filter(pk=insight_id, status=InsightStatus.QUEUED).update(
            status=InsightStatus.FAILED, error=ENQUEUE_FAILED_REASON
        )
        return
    GeneratedInsight.objects.filter(pk=insight_id).update(task_id=task_id)


# --- the task's work -------------------------------------------------------------------------


def write_insight(*, insight_id: int) -> GeneratedInsight | None:
    """Claim a queued insight and write it; None when there is no such row."""
    # The error of a postponed row said why it waited; it is being written now.
    claimed = GeneratedInsight.objects.filter(pk=insight_id, status=InsightStatus.QUEUED).update(
        status=InsightStatus.RUNNING, error="", started_at=timezone.now()
    )
    if not claimed:
        return GeneratedInsight.objects.filter(pk=insight_id).first()  # a duplicate delivery, or gone
    insight = GeneratedInsight.objects.select_related("snapshot").get(pk=insight_id)
    running = GeneratedInsight.objects.filter(pk=insight_id, status=InsightStatus.RUNNING)
    try:
        messages = build_messages(snapshot=insight.snapshot, kind=insight.kind, tone=insight.tone,
                                  generation=insight.generation)  # fmt: skip
        result = complete_json(
            messages=messages, schema=INSIGHT_SCHEMA, schema_name=SCHEMA_NAME, purpose=PURPOSE
        )
        answer = validate_answer(result.data)
    except AllProvidersDown as exc:
        postpone(insight_id=insight_id, seconds=exc.retry_after, reason=str(exc))
    except RequestRejected as exc:
        running.update(
            status=InsightStatus.FAILED, error=f"Every LLM provider refused the request: {exc}"[:ERROR_LIMIT]
        )
    except AnswerInvalid as exc:
        running.update(
            status=InsightStatus.FAILED, error=f"The LLM's answer was unusable: {exc}"[:ERROR_LIMIT]
        )
    except Exception:
        logger.exception("Insight #%s stopped on an unexpected error.", insight_id)
        running.update(status=InsightStatus.FAILED, error=UNEXPECTED_MESSAGE)
        raise
    else:
        store_answer(
            insight_id=insight_id, answer=answer, result=result, basis=snapshot_basis(insight.snapshot)
        )
    return GeneratedInsight.objects.get(pk=insight_id)


def store_answer(*, insight_id: int, answer: Answer, result: LLMResult, basis: str = "") -> bool:
    """Write the whole answer in one UPDATE; False when the row is no longer running."""
    return bool(
        GeneratedInsight.objects.filter(pk=insight_id, status=InsightStatus.RUNNING).update(
            status=InsightStatus.DONE,
            basis=basis,
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
    )


def resume_schedule_name(*, insight_id: int) -> str:
    return f"insight-resume-{insight_id}"


def postpone(*, insight_id: int, seconds: int, reason: str) -> None:
    """Back to queued, with the task scheduled once at now + seconds."""
    resume_at = timezone.now() + timedelta(seconds=max(1, seconds))
    name = resume_schedule_name(insight_id=insight_id)
    with transaction.atomic():
        updated = GeneratedInsight.objects.filter(pk=insight_id, status=InsightStatus.RUNNING).update(
            status=InsightStatus.QUEUED,
            error=f"Waiting for an LLM provider: {reason}"[:ERROR_LIMIT],
            queued_at=resume_at,  # due then: "lost" counts from there
        )
        if not updated:
            return
        schedule_once(GENERATE_INSIGHT_TASK, insight_id, at=resume_at, name=name)
    logger.info("Insight #%s postponed until %s: %s", insight_id, resume_at.isoformat(), reason)
