"""What a listener's first import of the day sets going besides song analysis: their play
history, today's listening snapshots and a wellness insight, so the Insights page has
charts and a written insight without anyone pressing a button.

The snapshot's mood figures (Development mode) come from our song analyses, which the same
import has just queued; so the refresh waits for the listener's analysis batches — not in a
worker (it is re-scheduled ONCE every WAIT_STEP) and not for ever (MAX_WAIT after the import,
it goes ahead with the analyses there are). Later imports the same day change nothing here:
the daily ingest schedule keeps the snapshots current.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from accounts.models import User
from analysis.models import AnalysisBatch
from core.runs import RunStatus
from insights.models import ListeningSnapshot, TimeRange
from insights.services import history, insight_writer, snapshots

logger = logging.getLogger(__name__)

REFRESH_TASK = "insights.tasks.refresh_listening"
WAIT_STEP = timedelta(seconds=20)
MAX_WAIT = timedelta(minutes=15)
CLAIM_SECONDS = 24 * 3600


def queue_listening_after_import(*, user_id: int) -> bool:
    """Queue the refresh after an import unless today's snapshots exist (the refresh itself
    claims the day, see refresh_listening). Never raises (the import's own work is done).
    True when it queued one."""
    try:
        today = timezone.localdate()
        if ListeningSnapshot.objects.filter(user_id=user_id, snapshot_date=today).exists():
            return False
        started = timezone.now().timestamp()
        transaction.on_commit(lambda: async_task(REFRESH_TASK, user_id, started))
        return True
    except Exception:
        logger.exception("Could not queue the listening refresh of user %s after the import", user_id)
        return False


def refresh_listening(*, user: User, import_finished_at: float) -> str:
    """Poll the history, wait (by re-scheduling) for the listener's analyses, then ingest today's
    snapshots and queue the wellness insight of the short-term one. Returns what it did."""
    # The claim on today's refresh, taken by a chain's first run and recognised by its later
    # ones (same import time): cache.add is atomic (database cache or Redis), so two imports
    # finishing together, or a second import while the first refresh waits, run one refresh.
    key = f"listening-refresh:{user.pk}:{timezone.localdate().isoformat()}"
    if not cache.add(key, import_finished_at, timeout=CLAIM_SECONDS) and cache.get(key) != import_finished_at:
        return "another refresh of today is under way"
    waited = timezone.now() - datetime.fromtimestamp(import_finished_at, tz=UTC)
    if waited < MAX_WAIT and _analyses_under_way(user=user):
        when = timezone.now() + WAIT_STEP
        schedule(
            REFRESH_TASK, user.pk, import_finished_at, schedule_type=Schedule.ONCE, next_run=when,
            name=f"insights-listening-refresh-{user.pk}-{uuid.uuid4().hex[:12]}",  # names are unique
        )  # fmt: skip
        return f"waiting for song analyses (since {int(waited.total_seconds())} s)"
    polled = history.poll_history(user=user)  # records its own failures; never raises for Spotify
    stored = snapshots.ingest_snapshot(user=user)  # ListeningIngestFailed fails the task, with the reason
    short = next(snapshot for snapshot in stored if snapshot.time_range == TimeRange.SHORT)
    insight = insight_writer.queue_wellness_insight(snapshot=short)
    return (
        f"history: {polled.outcome} ({polled.stored} new play(s)); {len(stored)} snapshot(s) for "
        f"{short.snapshot_date}; wellness insight: {insight.status if insight else 'no LLM provider'}"
    )


def _analyses_under_way(*, user: User) -> bool:
    return AnalysisBatch.objects.filter(
        user=user, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists()
