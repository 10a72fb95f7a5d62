"""Artist metadata looked up in the cluster for the live preview, which never calls Spotify.

The preview counts with what the mirror and the cache know (routing.services.preview); when
some of the base's artists were never looked up, it asks for a warm-up here: a task on the
interactive cluster looks them up through the route's own fetcher (routing.metadata), which
keeps every answer as it arrives. The editor's page polls the base's metadata state
(`GET /api/base-playlists/{id}/metadata`) and counts again once the warm-up is done.

One warm-up per base is queued or running at a time, claimed with one conditional UPDATE of
the base's MetadataWarmUp row (never a read, then a write): a second preview meanwhile finds
the row claimed and queues nothing. The claim lapses by itself (`claimed_until`), so a task
the broker lost or a killed worker never blocks the base: the next preview after it queues a
fresh one, and the stale task, should it still come, holds an old claim name and does nothing.

Fairness: a warm-up gives its worker back after SLICE_SECONDS and queues its own continuation
at the back of the interactive queue, so a big base never holds a worker that an import or a
route is waiting for. Spotify's pause postpones it to a ONCE schedule at the pause's end
(brought forward when staff lift the pause); it never waits in a worker.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import SpotifyPause
from core import queues
from core.schedules import schedule_once
from routing.metadata import MetadataFetcher
from routing.models import BasePlaylist, MetadataWarmUp, WarmUpStatus
from routing.selectors import base_artist_ids
from spotify.client import get_spotify_client
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)

logger = logging.getLogger(__name__)

WARM_UP_TASK = "routing.tasks.warm_up_metadata"
# How long one task looks artists up before it queues its continuation and frees the worker,
# and the most its cluster lets it run (a hung request cannot hold the worker for the
# cluster's whole limit, which is sized for imports).
SLICE_SECONDS = 20.0
TIME_LIMIT_SECONDS = 120
# A claim outlives the task's time limit by this much before the next preview may take it over.
CLAIM_SLACK = timedelta(seconds=60)
# After a failure, previews wait this long before queuing another warm-up (a lost grant would
# otherwise queue one failing task per keystroke).
FAILED_BACKOFF = timedelta(seconds=60)
UNEXPECTED_MESSAGE = "The lookup stopped on an unexpected error (details are in the server log)."


def request_warm_up(*, base: BasePlaylist) -> MetadataWarmUp:
    """Queue a warm-up of the base's artists unless one is queued, running or postponed (or
    failed a moment ago); returns the base's warm-up row as it stands afterwards."""
    MetadataWarmUp.objects.get_or_create(base=base)
    now = timezone.now()
    claim = uuid.uuid4().hex
    claimed = (
        MetadataWarmUp.objects.filter(base=base)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(
            status=WarmUpStatus.QUEUED,
            claim=claim,
            claimed_until=now + _claim_window(),
            requested_at=now,
            started_at=None,
            finished_at=None,
            resume_at=None,
            looked_up=0,
            unknown=0,
            error="",
        )
    )
    if claimed:
        # After the caller's commit, if it has a transaction open: the task must find the claim.
        transaction.on_commit(lambda: _enqueue(base_id=base.pk, claim=claim))
    return MetadataWarmUp.objects.get(base=base)


def run_warm_up(*, base_id: int, claim: str, slice_seconds: float = SLICE_SECONDS) -> str:
    """The task: look up the base's artists still unknown for up to `slice_seconds` (at least one
    request), keeping each answer; then done, or continued later in the queue, or postponed."""
    now = timezone.now()
    started = MetadataWarmUp.objects.filter(
        base_id=base_id, claim=claim, status__in=(WarmUpStatus.QUEUED, WarmUpStatus.POSTPONED)
    ).update(status=WarmUpStatus.RUNNING, started_at=now, resume_at=None, claimed_until=now + _claim_window())
    if not started:
        return f"warm-up of base #{base_id}: not this task's any more"
    base = BasePlaylist.objects.select_related("user").filter(pk=base_id).first()
    if base is None:  # deleted since (its warm-up row with it)
        return f"warm-up of base #{base_id}: the base is gone"
    mine = MetadataWarmUp.objects.filter(base_id=base_id, claim=claim)
    fetcher: MetadataFetcher | None = None

    def looked_up() -> Any:
        return F("looked_up") + (fetcher.counters.misses if fetcher else 0)

    try:
        with get_spotify_client(user=base.user) as client:
            fetcher = MetadataFetcher(client=client, mode=settings.SPOTIFY_APP_MODE)
            lookup = fetcher.look_up(
                artist_ids=base_artist_ids(base=base), deadline=time.monotonic() + slice_seconds
            )
    except SpotifyRateLimited as exc:
        _postpone(base_id=base_id, claim=claim, resume_at=exc.resume_at, looked_up=looked_up())
        return f"warm-up of base #{base_id}: postponed until {exc.resume_at.isoformat()}"
    except (ReconnectNeeded, SpotifyMisconfigured, NotAllowlisted, SpotifyUnavailable, SpotifyRefused) as exc:
        _fail(rows=mine, error=describe(exc), looked_up=looked_up())
        return f"warm-up of base #{base_id}: failed ({exc.__class__.__name__})"
    except Exception:
        _fail(rows=mine, error=UNEXPECTED_MESSAGE, looked_up=looked_up())
        raise
    if lookup.pending:
        _continue(base_id=base_id, claim=claim, looked_up=looked_up(), unknown=lookup.unknown)
        return f"warm-up of base #{base_id}: {len(lookup.pending)} artist(s) left for its next turn"
    mine.update(
        status=WarmUpStatus.DONE,
        finished_at=timezone.now(),
        claimed_until=None,
        looked_up=looked_up(),
        unknown=lookup.unknown,
    )
    return f"warm-up of base #{base_id}: done, {lookup.unknown} artist(s) unknown to Spotify"


def _claim_window() -> timedelta:
    """How long a queued or running warm-up holds its base: past the longest it may run (the
    cluster's own limit: a turn fired by a schedule runs without TIME_LIMIT_SECONDS)."""
    return timedelta(seconds=queues.timeout(queues.INTERACTIVE)) + CLAIM_SLACK


def _enqueue(*, base_id: int, claim: str) -> None:
    try:
        queues.enqueue(
            WARM_UP_TASK,
            base_id,
            claim,
            queue=queues.INTERACTIVE,
            task_name=f"metadata warm-up {base_id}",
            time_limit=TIME_LIMIT_SECONDS,
        )
    except Exception:
        # The preview still answers with what is known; the next one may queue it again.
        logger.exception("Could not queue the metadata warm-up of base #%s.", base_id)
        MetadataWarmUp.objects.filter(base_id=base_id, claim=claim).update(
            status=WarmUpStatus.FAILED, claimed_until=None, error="The lookup could not be queued."
        )


def _continue(*, base_id: int, claim: str, looked_up: Any, unknown: int) -> None:
    """Its slice is over: back of the queue under a new claim name, so the worker is free now."""
    now = timezone.now()
    following = uuid.uuid4().hex
    with transaction.atomic():
        if MetadataWarmUp.objects.filter(base_id=base_id, claim=claim).update(
            status=WarmUpStatus.QUEUED,
            claim=following,
            claimed_until=now + _claim_window(),
            looked_up=looked_up,
            unknown=unknown,
        ):
            transaction.on_commit(lambda: _enqueue(base_id=base_id, claim=following))


def _postpone(*, base_id: int, claim: str, resume_at: datetime, looked_up: Any) -> None:
    """Spotify paused: the same claim waits for a ONCE schedule at the pause's end (named so
    that lifting the pause early brings it forward, accounts.services.lift_spotify_pauses)."""
    with transaction.atomic():
        if MetadataWarmUp.objects.filter(base_id=base_id, claim=claim).update(
            status=WarmUpStatus.POSTPONED,
            resume_at=resume_at,
            claimed_until=resume_at + _claim_window(),
            looked_up=looked_up,
        ):
            schedule_once(
                WARM_UP_TASK,
                base_id,
                claim,
                at=resume_at,
                name=f"routing-warm-up-{base_id}{SpotifyPause.SCHEDULE_SUFFIX}",
                queue=queues.INTERACTIVE,
            )


def _fail(*, rows: Any, error: str, looked_up: Any) -> None:
    now = timezone.now()
    rows.update(
        status=WarmUpStatus.FAILED,
        finished_at=now,
        claimed_until=now + FAILED_BACKOFF,
        error=error,
        looked_up=looked_up,
    )
