"""Queueing analyses after an import: the user's tracks with no analysis under the current
prompt version, and in no batch still queued or running, in batches of ANALYSIS_BATCH_SIZE.

One Django-Q task per batch, on the bulk queue; the batches are created held and handed over a
few at a time per listener (analysis.services.feeding), once the rows are committed. A track is
analysed once for every listener: two users importing the same song may both queue it,
and the claim in analysis.services.analysis makes the second batch skip it.

When the import leaves the listener nothing to wait for (nothing to queue, no batch still
active), analyses_settled is sent at once, so its waiters are not left waiting; otherwise
the last batch to end sends it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from analysis.models import AnalysisBatch, AnalysisBatchTrack, SongAnalysis
from analysis.services.analysis import PROMPT_VERSION
from analysis.services import feeding
from analysis.services.settling import announce_if_settled
from core import runs
from library.models import PlaylistItem, Track
from llm.models import Provider

logger = logging.getLogger(__name__)



def queue_analysis_after_import(*, user_id: int, batch_size: int | None = None) -> list[AnalysisBatch]:
    """Queue the user's unanalysed tracks; never raises (the import's own work is already done)."""
    try:
        batches = queue_analysis(user_id=user_id, batch_size=batch_size)
    except Exception:
        logger.exception("Could not queue song analyses after the import of user %s", user_id)
        batches = []
    if not batches:
        announce_if_settled(user_id=user_id)
    return batches


def tracks_needing_analysis(*, user_id: int) -> list[str]:
    """The user's track ids with no analysis under PROMPT_VERSION and in no active batch that
    will reach them soon: one of theirs, or anyone's already handed to the queue."""
    in_user_playlists = PlaylistItem.objects.filter(playlist__user_id=user_id, track_id=OuterRef("pk"))
    analysed = SongAnalysis.objects.filter(track_id=OuterRef("pk"), prompt_version=PROMPT_VERSION)
    # A track in an active batch is left to it: a batch whose task or worker was lost is given
    # back to the queue by the recovery (core.runs), never queued a second time here. But not a
    # batch another listener holds back (services.feeding): that one waits for the other's turns,
    # maybe days for a huge library, so a song of theirs that is also ours is queued in our own
    # batch too; the analysis claim keeps it analysed (and paid for) once.
    queued = AnalysisBatchTrack.objects.filter(
        track_id=OuterRef("pk"), batch__prompt_version=PROMPT_VERSION, batch__status__in=runs.ACTIVE_STATUSES
    ).filter(Q(batch__user_id=user_id) | Q(batch__enqueued_at__isnull=False))
    return list(
        Track.objects.filter(Exists(in_user_playlists))
        .exclude(Exists(analysed))
        .exclude(Exists(queued))
        .order_by("spotify_id")
        .values_list("spotify_id", flat=True)
    )


def queue_analysis(*, user_id: int, batch_size: int | None = None) -> list[AnalysisBatch]:
    size = batch_size or settings.ANALYSIS_BATCH_SIZE
    if not Provider.objects.filter(enabled=True).exists():
        # No LLM configured: batches would only wait for ever. An admin adding one later
        # gets the backlog queued by the next import.
        return []
    track_ids = tracks_needing_analysis(user_id=user_id)
    batches = []
    with transaction.atomic():
        for start in range(0, len(track_ids), size):
            chunk = track_ids[start : start + size]
            batch = AnalysisBatch.objects.create(
                user_id=user_id, prompt_version=PROMPT_VERSION, track_total=len(chunk)
            )
            AnalysisBatchTrack.objects.bulk_create(
                AnalysisBatchTrack(batch=batch, track_id=track_id, position=index)
                for index, track_id in enumerate(chunk)
            )
            batches.append(batch)
        feeding.feed(user_id=user_id)
    if batches:
        logger.info(
            "Queued %d analysis batch(es), %d track(s), for user %s", len(batches), len(track_ids), user_id
        )
    return batches
