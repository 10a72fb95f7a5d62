"""What insights does when other parts of the system announce something (see InsightsConfig.ready)."""

from __future__ import annotations

from insights.services import after_import, history_import


def queue_listening_after_import(sender, *, user_id: int, **kwargs) -> None:
    """sync.signals.import_completed: a listener's first import of the day sets going today's
    listening refresh (which waits for the song analyses the same import queued)."""
    after_import.queue_listening_after_import(user_id=user_id)


def refresh_listening_when_settled(sender, *, user_id: int, **kwargs) -> None:
    """analysis.signals.analyses_settled: the refresh that waited for the analyses goes ahead."""
    after_import.refresh_when_settled(user_id=user_id)


def discard_upload_when_an_import_ended(sender, *, pk: int, **kwargs) -> None:
    """core.signals.run_ended_without_worker for HistoryImport: an import cancelled, or refused
    by the broker, will never read its upload again."""
    history_import.discard_upload(import_id=pk)
