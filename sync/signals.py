"""What sync announces; the apps that care listen, so sync never calls them by name.

import_completed
    Sent once an import has completed and that is committed (transaction.on_commit), never for
    a failed, cancelled or postponed one. sender: sync.models.SyncEvent. Arguments:
    - user_id (int): whose library was imported;
    - event_id (int): the completed import's SyncEvent;
    - changed_playlist_ids (list[int]): mirrored playlists whose items this import replaced
      because their snapshot changed (not a full scope's rewrite of an unchanged one);
    - renamed_spotify_ids (list[str]): Spotify ids of playlists whose name changed.
    Listeners (each app's receivers.py, connected in its AppConfig.ready):
    - analysis.receivers.raise_ratings_after_import: analyses of the changed playlists' tracks that
      Spotify now marks explicit are stored as explicit;
    - analysis.receivers.queue_analysis_after_import: queues song analyses of the new tracks
      (first: the others look at the batches it queued);
    - routing.receivers.route_after_import: links bases and children to their playlists again
      (and renames bases), then queues a route of each automatic base whose playlist changed,
      or, when its filters read song analyses still under way, waits for analyses_settled;
    - insights.receivers.queue_listening_after_import: the listener's first import of the day
      sets going today's listening refresh (once the analyses settled).
    A listener that raises is logged and never fails the import (send_import_completed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

from sync.models import SyncEvent

logger = logging.getLogger(__name__)

import_completed = Signal()


def send_import_completed(
    *,
    user_id: int,
    event_id: int,
    changed_playlist_ids: Sequence[int],
    renamed_spotify_ids: Sequence[str],
) -> None:
    """Announce a completed import once the current transaction commits (at once in autocommit)."""

    def send() -> None:
        answers = import_completed.send_robust(
            sender=SyncEvent,
            user_id=user_id,
            event_id=event_id,
            changed_playlist_ids=list(changed_playlist_ids),
            renamed_spotify_ids=list(renamed_spotify_ids),
        )
        for receiver, answer in answers:
            if isinstance(answer, Exception):
                # The import's own work is done and stored: a listener's hiccup must not undo that.
                logger.error(
                    "A listener of import_completed failed for import #%s: %r",
                    event_id,
                    receiver,
                    exc_info=(type(answer), answer, answer.__traceback__),
                )

    transaction.on_commit(send)
