"""What insights does when other parts of the system announce something (see InsightsConfig.ready)."""

from __future__ import annotations

import logging
import os

from django.db import transaction

from core import recovery
from core.workers import this_host
from insights.models import HistoryImport, ListeningIngest, TrackLookup
from insights.services import after_import, history_uploads

logger = logging.getLogger(__name__)


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


def resume_runs_of_dead_workers(sender, *, proc_name: str, **kwargs) -> None:
    """django_q post_spawn, in every cluster worker as it spawns: history imports, track lookups
    and ingests claimed on this host by a process that is gone (a killed or restarted cluster)
    are queued again at once, each going on from its saved position; without this they would
    wait for the recovery schedule to find them stalled."""
    for model in (HistoryImport, TrackLookup, ListeningIngest):
        try:
            recovery.recover_orphans(model, host=this_host(), idle_pid=os.getpid())
        except Exception:
            # Never keep a worker from starting; the recovery schedule catches what this missed.
            logger.exception("Resuming dead workers' %s runs failed in %s", model.run_label, proc_name)
