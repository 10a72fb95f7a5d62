"""What sync does when other parts of the system announce something (connected in SyncConfig.ready)."""

from __future__ import annotations

import logging
import os

from accounts.models import User
from sync.models import ImportScope
from sync.services import cleanup, triggers

logger = logging.getLogger(__name__)


def import_after_sign_in(sender, *, user: User, created: bool, **kwargs) -> None:
    """A new listener gets a full import; a returning one an incremental import."""
    scope = ImportScope.FULL if created else ImportScope.INCREMENTAL
    try:
        triggers.request_import(user=user, trigger=triggers.Trigger.SIGN_IN, scope=scope)
    except Exception:
        # The sign-in itself succeeded; the listener can still press "Sync now".
        logger.exception("Could not start the import of user %s after sign-in", user.pk)


def fail_runs_of_dead_workers(sender, *, proc_name: str, **kwargs) -> None:
    """Runs in every cluster worker as it spawns: at start-up and after a worker died."""
    try:
        cleanup.fail_runs_of_dead_workers(host=cleanup.this_host(), idle_pid=os.getpid())
    except Exception:
        # Never keep a worker from starting; the stall schedule catches what this missed.
        logger.exception("Clean-up of dead workers' imports failed in %s", proc_name)
