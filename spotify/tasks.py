"""Django-Q entry points of spotify: keeping stored grants fresh. Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from accounts import selectors as account_selectors
from core import queues
from core.fanout import fan_out
from core.jobs import job
from spotify import services

# Access tokens last an hour and the round runs every 30 minutes.
REFRESH_WITHIN = timedelta(minutes=30)
REFRESH_CHUNK_TASK = "spotify.tasks.refresh_tokens_of"
# A refresh is one request to the Accounts service per listener (with its short retries).
REFRESH_CHUNK_TIME_LIMIT = 120


class TokenRefreshFailed(Exception):
    """Some grants could not be refreshed; raised (not returned) so Django-Q and the job records
    show the run as failed, and staff see it on their dashboard."""


@job(label="Token refresh")
def refresh_expiring_tokens() -> str:
    """Every 30 minutes (schedule "refresh expiring tokens"): queue the refresh of the Spotify
    grants that expire before the next run, a task per chunk of listeners (core.fanout), so
    tasks and pages at night start with a fresh token."""
    if account_selectors.spotify_paused_until() is not None:
        return _summary(services.refresh_expiring_credentials(within=REFRESH_WITHIN))  # sends nothing
    due = list(
        services.expiring_credentials(within=REFRESH_WITHIN).order_by("expires_at").values_list("user_id", flat=True)
    )
    done = fan_out(
        task=REFRESH_CHUNK_TASK,
        user_ids=due,
        queue=queues.BULK,
        time_limit=REFRESH_CHUNK_TIME_LIMIT,
        label="token refresh",
    )
    return f"token refresh: {done}"


@job(label="Token refresh (listeners)")
def refresh_tokens_of(user_ids: list[int]) -> str:
    """One chunk of the round: refresh these listeners' grants if they still expire soon."""
    outcome = services.refresh_expiring_credentials(within=REFRESH_WITHIN, user_ids=user_ids)
    if outcome.failed:
        # The server log names each one; revoked grants are already marked for reconnecting.
        raise TokenRefreshFailed(
            f"{_summary(outcome)} (see the server log: revoked grants are marked for reconnecting)"
        )
    return _summary(outcome)


def _summary(outcome: services.RefreshOutcome) -> str:
    return f"{outcome.refreshed} token(s) refreshed, {outcome.failed} failed" + (
        f", {outcome.paused} left until Spotify's pause ends" if outcome.paused else ""
    )
