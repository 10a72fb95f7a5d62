"""Asking for an ingest now (the Insights page's button, `POST /api/listening/ingest`): one run
(ListeningIngest, core.runs) per listener at a time, which the database guarantees; asking
again while one is queued or running answers with that one.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import SpotifyCredential, User
from core import runs
from core.runs import ACTIVE_STATUSES
from insights.models import ListeningIngest
from insights.services.history import poll_history
from insights.services.snapshots import ListeningIngestFailed, ingest_snapshot

logger = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "The ingest stopped on an unexpected error (details are in the server log)."


def active_ingest(*, user: User) -> ListeningIngest | None:
    return ListeningIngest.objects.filter(user=user, status__in=ACTIVE_STATUSES).first()


def request_ingest(*, user: User, snapshot_date: date | None = None) -> tuple[ListeningIngest, bool]:
    """The listener's queued or running ingest, or a new one of `snapshot_date` (today) queued
    after commit: (the run, whether it is new). ListeningIngestFailed when the listener has no
    usable Spotify connection."""
    if not SpotifyCredential.objects.filter(user=user, reconnect_needed=False).exists():
        raise ListeningIngestFailed(
            "Spotify is not connected (or access was revoked): sign in with Spotify first.", reconnect=True
        )
    for _ in range(2):  # the active one may end between the refused insert and the read
        existing = active_ingest(user=user)
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                ingest = ListeningIngest.objects.create(user=user, snapshot_date=snapshot_date or timezone.localdate())
                runs.enqueue_on_commit(ingest)
        except IntegrityError:
            continue  # another request queued one just now: answer with it
        # Outside a caller's transaction the task was handed over at the block's end: its id.
        ingest.refresh_from_db()
        return ingest, True
    raise ListeningIngestFailed("Another ingest was being queued at the same moment; try again.")


def run_ingest(*, ingest_id: int) -> ListeningIngest | None:
    """Poll the listener's history, then run the queued ingest to its end: succeeded, failed with
    the reason, or postponed to the end of Spotify's pause (never sooner than
    SPOTIFY_MIN_POSTPONE), for the same day."""
    claim = runs.claim(ListeningIngest, pk=ingest_id, select_related=("user",))
    if claim is None:
        return ListeningIngest.objects.filter(pk=ingest_id).first()
    ingest = claim.run
    try:
        # The plays since the last poll first, as the after-import refresh does: the snapshots
        # count stored plays, and a listener who asks before the first hourly poll (on a first
        # visit to the Insights page) would otherwise see none in any range.
        poll_history(user=ingest.user)  # records its own failures; never raises for Spotify
        stored = ingest_snapshot(user=ingest.user, snapshot_date=ingest.snapshot_date)
    except ListeningIngestFailed as exc:
        if exc.retry_at is None:
            claim.fail(exc.reason)
        else:
            at = max(exc.retry_at, timezone.now() + timedelta(seconds=settings.SPOTIFY_MIN_POSTPONE))
            claim.postpone(resume_at=at, error=exc.reason[: runs.ERROR_LIMIT])
    except runs.ClaimLost:
        logger.warning("Listening ingest #%s was taken from %s; stopping.", ingest_id, claim.worker)
    except Exception as exc:
        if claim.retry_after_conflict(exc):
            return ListeningIngest.objects.get(pk=ingest_id)
        logger.exception("Listening ingest #%s stopped on an unexpected error.", ingest_id)
        claim.fail(UNEXPECTED_MESSAGE)
        raise
    else:
        claim.succeed(snapshots=len(stored))
    return ListeningIngest.objects.get(pk=ingest_id)
