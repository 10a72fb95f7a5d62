"""What every run that calls Spotify (an import, a route, a restore) adds to core.runs' lifecycle:
the ledger of Spotify counters written with each step, and how Spotify's failures end the run.

The claim and every write after it are core.runs': one conditional UPDATE each (still running,
still claimed by this worker). If the recovery or an admin ended the run meanwhile, the write
touches no row and ClaimLost stops the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from core import runs
from core.runs import ClaimLost, QueuedRun
from spotify.errors import (
    NotAllowlisted,
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)
from spotify.policy import SpotifyRequestStats

logger = logging.getLogger(__name__)

ERROR_LIMIT = runs.ERROR_LIMIT
# What a run that lost its grant, or whose server's app Spotify rejects, tells the listener.
RECONNECT_MESSAGE = f"{describe(ReconnectNeeded())} Then retry."
MISCONFIGURED_MESSAGE = describe(SpotifyMisconfigured())
NOT_ALLOWLISTED_MESSAGE = describe(NotAllowlisted())


class RunStepFailed(Exception):
    """Spotify failed in a way worth telling the user; `reason` says where and what it answered."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextmanager
def spotify_step(what_failed: str, *, hint: str) -> Iterator[None]:
    """Turn Spotify's failures (after the client's own retries) into a reason a person can read."""
    try:
        yield
    except (SpotifyUnavailable, SpotifyRefused) as exc:
        raise RunStepFailed(f"{what_failed}: {describe(exc)} {hint}") from exc


class RunLedger:
    """Writes one claimed run's progress and outcome onto its row (an import's SyncEvent, a
    routing.RouteRun), through core.runs.

    Spotify counters are the event's totals: what earlier (rate-limited) runs of the same
    event used, plus this run's client stats. Subclasses name their task and add the
    progress steps of their kind.
    """

    label = "run"
    task = ""

    def __init__(self, *, event: QueuedRun) -> None:
        self.event_id = event.pk
        self.worker = event.claimed_by
        self.stats: SpotifyRequestStats | None = None
        self._base = (event.spotify_requests, event.rate_limited, event.retries)
        self._claim = runs.Claim(model=type(event), pk=event.pk, worker=event.claimed_by, run=event)

    def counters(self) -> dict[str, int]:
        requests, rate_limited, retries = self._base
        if self.stats is not None:
            requests += self.stats.requests
            rate_limited += self.stats.rate_limited
            retries += self.stats.retries
        return {"spotify_requests": requests, "rate_limited": rate_limited, "retries": retries}

    def extra_fields(self) -> dict[str, Any]:
        """What a kind writes with every step and outcome besides the counters (e.g. its details)."""
        return {}

    def _all(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {**fields, **self.extra_fields(), **self.counters()}

    def _update(self, **fields: Any) -> None:
        """ClaimLost when the event is no longer this worker's."""
        self._claim.update(**self._all(fields))

    def fail(self, reason: str) -> None:
        self._fail(reason)

    def postpone(self, *, resume_at: datetime) -> None:
        self._postpone(resume_at=resume_at)

    def retry_after_conflict(self, exc: BaseException) -> bool:
        """core.runs.Claim.retry_after_conflict, writing the counters only: what this ledger holds
        in memory may include the step the database rolled back."""
        return self._claim.retry_after_conflict(exc, **self.counters())

    def _succeed(self, **fields: Any) -> None:
        if not self._claim.succeed(**self._all(fields)):
            raise ClaimLost(f"{self.label} #{self.event_id} is no longer claimed by {self.worker}")

    def _wait(self, **fields: Any) -> None:
        if not self._claim.wait(**self._all(fields)):
            raise ClaimLost(f"{self.label} #{self.event_id} is no longer claimed by {self.worker}")

    def _fail(self, reason: str, **fields: Any) -> None:
        self._claim.fail(reason, **self._all(fields))

    def _postpone(self, *, resume_at: datetime, **fields: Any) -> None:
        """Queue the event again for `resume_at` and schedule the task to run then.

        The event stays active (queued), so a trigger meanwhile gets this event rather than
        starting a second run, and nothing done so far is lost or refetched.
        """
        if not self._claim.postpone(resume_at=resume_at, **self._all(fields)):
            raise ClaimLost(f"{self.label} #{self.event_id} is no longer claimed by {self.worker}")


def run_to_end(*, ledger: RunLedger, body: Callable[[], None], unexpected: str) -> None:
    """Run `body` (which completes the ledger) and turn how it stops into the event's outcome.

    The same for imports and routes: a lost claim stops quietly, a long rate limit queues
    the event again, a lost grant, a listener Spotify does not serve or a readable Spotify
    failure fails it with a reason, and
    anything else fails it with `unexpected` and is re-raised so Django-Q records it too.
    """
    name = f"{ledger.label.capitalize()} #{ledger.event_id}"
    try:
        body()
    except ClaimLost:
        logger.warning("%s was ended elsewhere while running; stopped.", name)
    except SpotifyRateLimited as exc:
        logger.info("%s postponed by Spotify's rate limit until %s.", name, exc.resume_at.isoformat())
        try:
            ledger.postpone(resume_at=exc.resume_at)
        except ClaimLost:  # cancelled or recovered while it waited on Spotify: theirs now
            logger.warning("%s was ended elsewhere before it could be postponed; stopped.", name)
    except ReconnectNeeded:
        ledger.fail(RECONNECT_MESSAGE)
    except SpotifyMisconfigured:
        ledger.fail(MISCONFIGURED_MESSAGE)
    except NotAllowlisted:
        # Before anything was written from the refused answers: the mirror stays as it was.
        ledger.fail(NOT_ALLOWLISTED_MESSAGE)
    except RunStepFailed as exc:
        ledger.fail(exc.reason)
    except Exception as exc:
        if ledger.retry_after_conflict(exc):
            return
        logger.exception("%s stopped on an unexpected error.", name)
        ledger.fail(unexpected)
        raise


