"""What a listener's first import of the day sets going besides song analysis: their play
history, today's listening snapshots and a wellness insight, so the Insights page has
charts and a written insight without anyone pressing a button.

The snapshot's mood figures (Development mode) come from our song analyses, which the same
import has just queued; so the refresh waits for them by listening, not polling: when the
import leaves analyses under way, the listener is marked as waiting and analysis's
`analyses_settled` queues the refresh (insights/receivers.py). A ONCE schedule MAX_WAIT after
the import is the fallback (every provider down for long): it goes ahead with the analyses
there are. The refresh claims the day, so whichever comes first runs it, once. Later imports
the same day change nothing here: the daily ingest schedule keeps the snapshots current.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import User
from analysis import selectors as analysis_selectors
from core.queues import BULK, enqueue
from core.schedules import schedule_once
from insights.models import ListeningSnapshot, TimeRange
from insights.services import history, insight_writer, snapshots

logger = logging.getLogger(__name__)

REFRESH_TASK = "insights.tasks.refresh_listening"
MAX_WAIT = timedelta(minutes=15)
CLAIM_SECONDS = 24 * 3600


def _today() -> str:
    return timezone.localdate().isoformat()


def _waiting_key(user_id: int) -> str:
    # No date in it: an import just before midnight whose analyses settle after it is still
    # waited for (the value names the fallback schedule of the day it was set).
    return f"listening-refresh-waits:{user_id}"


def fallback_schedule_name(user_id: int) -> str:
    return f"insights-listening-refresh-{user_id}-{_today()}"


def queue_listening_after_import(*, user_id: int) -> bool:
    """After an import: queue today's refresh now, or, while the import's analyses are under
    way, wait for analyses_settled (with a fallback at MAX_WAIT). Never raises (the import's own
    work is done). True when a refresh was queued or is awaited."""
    try:
        if ListeningSnapshot.objects.filter(user_id=user_id, snapshot_date=timezone.localdate()).exists():
            return False
        if analysis_selectors.analyses_under_way(user_id=user_id):
            # Marked, then looked at again: a settle that came before the mark would be missed.
            name = fallback_schedule_name(user_id)
            cache.set(_waiting_key(user_id), name, timeout=CLAIM_SECONDS)
            if analysis_selectors.analyses_under_way(user_id=user_id):
                at = timezone.now() + MAX_WAIT
                transaction.on_commit(lambda: schedule_once(REFRESH_TASK, user_id, at=at, name=name, queue=BULK))
                return True
            cache.delete(_waiting_key(user_id))
        transaction.on_commit(lambda: enqueue(REFRESH_TASK, user_id, queue=BULK))
        return True
    except Exception:
        logger.exception("Could not queue the listening refresh of user %s after the import", user_id)
        return False


def refresh_when_settled(*, user_id: int) -> bool:
    """analyses_settled: queue the refresh of a listener who waits for it; True when queued."""
    fallback = cache.get(_waiting_key(user_id))
    if not fallback:
        return False  # nobody waits (or the cache is down: the fallback schedule still runs)
    cache.delete(_waiting_key(user_id))
    Schedule.objects.filter(name=fallback).delete()
    transaction.on_commit(lambda: enqueue(REFRESH_TASK, user_id, queue=BULK))
    return True


def refresh_listening(*, user: User) -> str:
    """Poll the history, ingest today's snapshots and queue the wellness insight of the
    short-term one. Returns what it did."""
    # The claim on today's refresh: cache.add is atomic (database cache or Redis), so the settle
    # and the fallback, or two imports finishing together, run one refresh. A Redis that is down
    # answers None (IGNORE_EXCEPTIONS), not False: then it runs unclaimed, since every step is
    # idempotent (plays stored once, snapshots upserted, the insight served from its row) and
    # skipping would leave the day without snapshots until the nightly ingest.
    claim = f"listening-refresh:{user.pk}:{_today()}"
    if cache.add(claim, True, timeout=CLAIM_SECONDS) is False:
        return "today's refresh already ran or is under way"
    polled = history.poll_history(user=user)  # records its own failures; never raises for Spotify
    try:
        stored = snapshots.ingest_snapshot(user=user)  # ListeningIngestFailed fails the task, with the reason
    except snapshots.ListeningIngestFailed as exc:
        if exc.retry_at is None:
            raise
        # Spotify paused us: the day is not done; the refresh runs again when the pause ends.
        cache.delete(claim)
        at = max(exc.retry_at, timezone.now() + timedelta(seconds=settings.SPOTIFY_MIN_POSTPONE))
        schedule_once(REFRESH_TASK, user.pk, at=at, name=fallback_schedule_name(user.pk), queue=BULK)
        return f"postponed to {at.isoformat(timespec='seconds')}: {exc.reason}"
    short = next(snapshot for snapshot in stored if snapshot.time_range == TimeRange.SHORT)
    insight = insight_writer.queue_wellness_insight(snapshot=short)
    return (
        f"history: {polled.outcome} ({polled.stored} new play(s)); {len(stored)} snapshot(s) for "
        f"{short.snapshot_date}; wellness insight: {insight.status if insight else 'no LLM provider'}"
    )


