"""Django-Q entry points of spotify: keeping stored grants fresh. Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from core.jobs import job
from spotify import services


class TokenRefreshFailed(Exception):
    """Some grants could not be refreshed; raised (not returned) so Django-Q and the job records
    show the run as failed, and staff see it on their dashboard."""


@job(label="Token refresh")
def refresh_expiring_tokens() -> str:
    """Every 30 minutes (schedule "refresh expiring tokens"): refresh the Spotify grants that
    expire before the next run, so tasks and pages at night start with a fresh token."""
    outcome = services.refresh_expiring_credentials(within=timedelta(minutes=30))
    summary = f"{outcome.refreshed} token(s) refreshed, {outcome.failed} failed" + (
        f", {outcome.paused} left until Spotify's pause ends" if outcome.paused else ""
    )
    if outcome.failed:
        # The server log names each one; revoked grants are already marked for reconnecting.
        raise TokenRefreshFailed(
            f"{summary} (see the server log: revoked grants are marked for reconnecting)"
        )
    return summary
