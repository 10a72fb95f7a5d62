"""The kinds of run a SyncEvent records, and what sync must know of each without importing its app.

Imports are sync's own. Route and restore runs are SyncEvents too until routing records them
in a model of its own; routing registers those kinds from its AppConfig.ready, so the generic
run code here (the lost-task sweep, retry and cancel on the API, the admin and the pages) can
handle them while sync imports nothing of routing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sync.models import SyncEvent

__all__ = ["RunKind", "RunRefused", "back_url", "kind_of", "register_run_kind"]


class RunRefused(Exception):
    """A run could not be started or retried now (409); the message is for people. `active` is
    the run already in the way, when that is why."""

    active: SyncEvent | None = None


@dataclass(frozen=True)
class RunKind:
    kind: str
    task: str  # the Django-Q task that runs an event of this kind (enqueue, resume, lost-task sweep)
    # Queue a new run continuing a failed or cancelled one; raises RunRefused, or
    # django.core.exceptions.ObjectDoesNotExist when what it runs on is gone.
    retry: Callable[..., SyncEvent]
    # The page a listener goes back to after acting on such a run; None for the dashboard.
    page: Callable[[SyncEvent], str | None] = lambda event: None


_KINDS: dict[str, RunKind] = {}


def register_run_kind(run_kind: RunKind) -> None:
    """Registering a kind again replaces it (AppConfig.ready may run twice in tests)."""
    _KINDS[run_kind.kind] = run_kind
    SyncEvent.tasks_by_kind[run_kind.kind] = run_kind.task  # what core.runs enqueues for the kind


def kind_of(event_or_kind: SyncEvent | str) -> RunKind:
    kind = event_or_kind.kind if isinstance(event_or_kind, SyncEvent) else str(event_or_kind)
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"No app registered the run kind {kind!r}") from None


def back_url(event: SyncEvent) -> str | None:
    """Where the pages send the listener after acting on `event` (None: the dashboard)."""
    return kind_of(event).page(event)
