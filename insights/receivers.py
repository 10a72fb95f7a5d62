"""What insights does when other parts of the system announce something (see InsightsConfig.ready)."""

from __future__ import annotations

from django.db import transaction

from insights.services import after_import, history_uploads


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
    history_uploads.discard_upload(import_id=pk)


def delete_upload_with_its_import(sender, *, instance, **kwargs) -> None:
    """post_delete of a HistoryImport (a listener deleting their account takes their imports with
    it): its upload, if still on disk, goes too, once the deletion is committed (a rolled-back
    deletion keeps the file its import may still read)."""
    if instance.upload_path:
        relative = instance.upload_path
        transaction.on_commit(lambda: history_uploads.delete_upload_file(relative=relative))

