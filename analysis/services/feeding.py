"""Handing a listener's analysis batches to the bulk queue a few at a time.

An import queues every unanalysed song of the listener at once: 50,000 songs are ~2,500
batches. Handed to the broker together they would sit in front of every other listener's
first analyses for hours. So a batch is created *held* (queued, never handed over:
`enqueued_at` empty) and a listener has at most ANALYSIS_BATCHES_PER_LISTENER batches in the
broker or running; as one ends, the next of the same listener goes to the back of the queue,
behind what other listeners queued meanwhile — round-robin across listeners, falling out of
the broker's FIFO order.

Each batch is handed over once: taking it is one conditional UPDATE (still queued, still
held → its enqueue time), so two feeders racing for the same batch hand it over once; the
feeders of one listener are serialised on the listener's row, so they never hand over more
than the allowance. The recovery sweep feeds too, for a feeder that never ran (a worker killed
between finishing a batch and feeding).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from analysis.models import AnalysisBatch
from core import runs
from core.runs import RunStatus

logger = logging.getLogger(__name__)


def _of(user_id: int | None) -> Q:
    return Q(user_id=user_id) if user_id is not None else Q(user__isnull=True)


def held(*, user_id: int | None) -> Q:
    return _of(user_id) & Q(status=RunStatus.QUEUED, enqueued_at__isnull=True)


def in_flight(*, user_id: int | None) -> Q:
    """Handed to the broker and not ended: waiting in the queue, postponed, or running."""
    return _of(user_id) & Q(status__in=(RunStatus.QUEUED, RunStatus.RUNNING), enqueued_at__isnull=False)


def feed(*, user_id: int | None) -> list[int]:
    """Hand the listener's oldest held batches to the bulk queue (after commit) until they have
    ANALYSIS_BATCHES_PER_LISTENER in it or running; the ids handed over."""
    allowance = settings.ANALYSIS_BATCHES_PER_LISTENER
    now = timezone.now()
    taken: list[int] = []
    with transaction.atomic():
        if user_id is not None:
            # One feeder per listener at a time (a row lock on PostgreSQL; SQLite serialises writes).
            # FOR NO KEY UPDATE on PostgreSQL: it serialises feeders without blocking the inserts
            # that reference the listener (their FOR KEY SHARE), e.g. an import writing items.
            no_key = connection.features.has_select_for_no_key_update
            get_user_model().objects.select_for_update(no_key=no_key).filter(pk=user_id).values_list("pk").first()
        room = allowance - AnalysisBatch.objects.filter(in_flight(user_id=user_id)).count()
        if room <= 0:
            return []
        candidates = AnalysisBatch.objects.filter(held(user_id=user_id)).order_by("pk").values_list("pk", flat=True)
        for pk in list(candidates[:room]):
            if AnalysisBatch.objects.filter(pk=pk).filter(held(user_id=user_id)).update(enqueued_at=now):
                taken.append(pk)
        transaction.on_commit(lambda: _hand_over(taken))
    return taken


def _hand_over(batch_ids: list[int]) -> None:
    # A batch the broker refuses is failed (core.runs): run_ended_without_worker then feeds the
    # next one (analysis.receivers), so a broker outage never strands the rest.
    for batch_id in batch_ids:
        runs.enqueue_now(model=AnalysisBatch, pk=batch_id, task=AnalysisBatch.run_task)


def feed_everyone() -> dict[int | None, list[int]]:
    """Feed every listener who has held batches and room (the recovery sweep's share)."""
    waiting = AnalysisBatch.objects.filter(status=RunStatus.QUEUED, enqueued_at__isnull=True)
    fed = {}
    for user_id in waiting.values_list("user_id", flat=True).distinct().order_by():
        handed = feed(user_id=user_id)
        if handed:
            fed[user_id] = handed
    if fed:
        logger.info("Fed held analysis batches: %s", fed)
    return fed


def others_waiting(*, user_id: int | None) -> bool:
    """Another listener's run waits, due, for a bulk worker: a batch, a written insight, an ingest."""
    return runs.others_waiting(queue=AnalysisBatch.queue, user_id=user_id)
