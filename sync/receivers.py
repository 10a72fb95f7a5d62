"""What sync does when other parts of the system announce something (connected in SyncConfig.ready)."""

from __future__ import annotations

import logging

from accounts.models import User
from sync.models import ImportScope
from sync.services import triggers

logger = logging.getLogger(__name__)


def import_after_sign_in(sender, *, user: User, created: bool, **kwargs) -> None:
    """A new listener gets a full import; a returning one an incremental import."""
    scope = ImportScope.FULL if created else ImportScope.INCREMENTAL
    try:
        triggers.request_import(user=user, trigger=triggers.Trigger.SIGN_IN, scope=scope)
    except Exception:
        # The sign-in itself succeeded; the listener can still press "Sync now".
        logger.exception("Could not start the import of user %s after sign-in", user.pk)
