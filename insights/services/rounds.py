"""The listener rounds of insights, fanned out (core.fanout): the hourly history poll and the
daily listening ingest each queue a task per chunk of listeners on the bulk queue, so at a few
hundred listeners no task meets its time limit and one listener's trouble stays in its chunk.

While Spotify has paused this deployment the round queues nothing: the sequential service,
with everyone skipped, records that and schedules the round again at the pause's end.
"""

from __future__ import annotations

from datetime import date

from accounts import selectors as account_selectors
from accounts.models import SpotifyAccess, User
from core import queues
from core.fanout import FanOut, fan_out
from insights.services import history, snapshots

POLL_CHUNK_TASK = "insights.tasks.poll_histories_of"
INGEST_CHUNK_TASK = "insights.tasks.ingest_listening_of"
# A poll is one request per listener; an ingest about ten (top items, plays, artists).
POLL_CHUNK_TIME_LIMIT = 300
INGEST_CHUNK_TIME_LIMIT = 600


def queue_history_round() -> FanOut | history.PollSummary:
    """The hourly poll: a task per chunk of listeners with a Spotify credential (a credential
    marked for reconnecting too: its poll records the disconnected gap without a request)."""
    if account_selectors.spotify_paused_until() is not None:
        return history.poll_all_histories()  # skips everyone, schedules the round after the pause
    user_ids = list(
        User.objects.filter(spotify_credential__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    return fan_out(
        task=POLL_CHUNK_TASK,
        user_ids=user_ids,
        queue=queues.BULK,
        time_limit=POLL_CHUNK_TIME_LIMIT,
        label="history poll",
    )


def queue_ingest_round(*, snapshot_date: date, only_missing: bool = False) -> FanOut | snapshots.IngestRound:
    """The daily ingest of `snapshot_date` (fixed here, so a chunk that runs after midnight still
    fills that day): a task per chunk of listeners Spotify serves with a working grant."""
    if account_selectors.spotify_paused_until() is not None:
        # Postpones everyone, by one schedule of the round, to the pause's end.
        return snapshots.ingest_all_users(snapshot_date=snapshot_date, only_missing=only_missing)
    users = (
        User.objects.filter(spotify_credential__isnull=False, spotify_credential__reconnect_needed=False)
        .exclude(spotify_credential__access=SpotifyAccess.NOT_ALLOWLISTED)
        .order_by("pk")
    )
    if only_missing:
        users = users.exclude(snapshots__snapshot_date=snapshot_date)
    return fan_out(
        task=INGEST_CHUNK_TASK,
        user_ids=list(users.values_list("pk", flat=True).distinct()),
        queue=queues.BULK,
        time_limit=INGEST_CHUNK_TIME_LIMIT,
        label="listening ingest",
        extra_args=(snapshot_date.isoformat(), only_missing),
    )
