"""What analysis does when other parts of the system announce something (see AnalysisConfig.ready)."""

from __future__ import annotations

from analysis.models import AnalysisBatch
from analysis.services import feeding, queueing, ratings
from analysis.services.settling import announce_if_settled


def raise_ratings_after_import(sender, *, changed_playlist_ids: list[int], **kwargs) -> None:
    """sync.signals.import_completed: the tracks of the playlists the import read again that Spotify
    now marks explicit are explicit in their stored analyses too (an analysis made before Spotify
    marked a track says what the model said)."""
    ratings.raise_ratings_of_explicit_tracks(playlist_ids=changed_playlist_ids)


def queue_analysis_after_import(sender, *, user_id: int, **kwargs) -> None:
    """sync.signals.import_completed: analyse the songs the import brought that have no analysis
    yet (queue_analysis_after_import never raises: the import's own work is done)."""
    queueing.queue_analysis_after_import(user_id=user_id)


def announce_when_a_batch_ended_without_worker(sender, *, pk: int, **kwargs) -> None:
    """core.signals.run_ended_without_worker for AnalysisBatch: a batch the broker refused, that
    was cancelled or whose dead worker's run failed ends outside its task, so routes and the
    listening refresh waiting on the listener's analyses must hear here that they settled."""
    user_id, error = AnalysisBatch.objects.filter(pk=pk).values_list("user_id", "error").first() or (None, "")
    if error != AnalysisBatch.enqueue_failed_reason:
        # Its place in the queue goes to the listener's next held batch. Not after a broker
        # refusal: the next would be refused too, and so on through the whole backlog; the
        # recovery sweep feeds them once the broker is back.
        feeding.feed(user_id=user_id)
    announce_if_settled(user_id=user_id)
