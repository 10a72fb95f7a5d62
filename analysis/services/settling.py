"""Telling waiters that a listener's analyses have settled (analysis.signals.analyses_settled).

"Settled" is read from the batches themselves: the listener has none queued or running. So
whichever batch ends last sends it, and two batches ending at once may both send it (the
receivers are idempotent); a batch that is only postponed or handed back is still active.
"""

from __future__ import annotations

import logging

from django.db import transaction

from analysis.models import AnalysisBatch
from analysis.signals import analyses_settled
from core.runs import ACTIVE_STATUSES

logger = logging.getLogger(__name__)


def announce_if_settled(*, user_id: int | None) -> None:
    """After commit: send analyses_settled for `user_id` unless a batch of theirs is still active.

    Checked at commit, not now, so a batch queued in the same transaction counts as active.
    """
    if user_id is None:
        return  # a batch of nobody (a benchmark's): nobody waits for it
    transaction.on_commit(lambda: _send_if_settled(user_id=user_id))


def _send_if_settled(*, user_id: int) -> None:
    if AnalysisBatch.objects.filter(user_id=user_id, status__in=ACTIVE_STATUSES).exists():
        return
    # A receiver's trouble is its own: it must not turn a finished batch into a failed task.
    for receiver, outcome in analyses_settled.send_robust(sender=AnalysisBatch, user_id=user_id):
        if isinstance(outcome, Exception):
            logger.error(
                "A receiver of analyses_settled (%r) failed for user %s", receiver, user_id, exc_info=outcome
            )
