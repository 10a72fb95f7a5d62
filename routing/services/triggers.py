"""Starting routes: the Sync button, the API, retries, and routing after an import.

One route queued or running per base is the database's job (the partial unique index
`sync_one_active_route_per_base`): a request inserts inside a savepoint and, if the index
refuses the row, returns the route that is already active. The insert happens under the
base row's lock (routing.services.setup.lock_base), the same lock every set-up edit takes, so an
edit and a route request never interleave: either the edit commits first and the route
reads it, or the route is active first and the edit gets BaseBusy (409).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from core.errors import DomainError
from accounts import selectors as account_selectors
from accounts.models import User
from accounts.selectors import ConnectionStatus
from routing import selectors
from routing.models import BasePlaylist, RoutedPlaylist
from routing.services.setup import lock_base
from routing.models import RouteRun, RouteRunKind
from routing.naming import first_up, run_name
from core.runs import RunStatus
from core import recovery, runs

logger = logging.getLogger(__name__)

RETRYABLE_STATUSES = (RunStatus.FAILED, RunStatus.CANCELLED)
ENQUEUE_FAILED_REASON = "The route could not be queued (the task broker did not answer). Try again."


class RouteTrigger:
    BUTTON = "button"
    API = "api"
    RETRY = "retry"
    IMPORT = "import"  # the base changed in an import and the base routes automatically


class RouteTriggerError(DomainError):
    """Base class of the domain errors of starting a route (409); the message is for people.
    `active` is the run already in the way, when that is why (answered as `active_event`)."""

    status = 409
    active: RouteRun | None = None

    def extra(self) -> dict[str, Any]:
        return {"active_event": self.active.pk} if self.active is not None else {}


class RouteNotPossible(RouteTriggerError):
    """No usable Spotify connection."""


class RouteNotRetryable(RouteTriggerError):
    """Only a failed or cancelled route, not yet retried, can be retried."""


class RouteAlreadyActive(RouteTriggerError):
    def __init__(self, message: str, *, active: RouteRun) -> None:
        super().__init__(message)
        self.active = active


def request_route(
    *, base: BasePlaylist, trigger: str, retry_of: RouteRun | None = None
) -> tuple[RouteRun, bool]:
    """Queue a route of `base`, or return the one already queued or running: (event, created).

    Raises RouteNotPossible without a usable Spotify connection, and
    routing.services.setup.PlaylistNotFound if the base was deleted meanwhile.
    """
    ensure_connected(user=base.user)
    if base.is_disabled:
        raise RouteNotPossible(
            f"“{base.name}” is no longer in your Spotify library, so there is nothing to route from. "
            "Its children and filters are kept until it comes back, or until you delete the base."
        )
    for _ in range(3):  # the active route can finish between a refused insert and the read
        try:
            with transaction.atomic():
                lock_base(base_id=base.pk, for_edit=False)
                ensure_no_playlist_run(base_id=base.pk)
                event = RouteRun.objects.create(
                    kind=RouteRunKind.ROUTE,
                    user_id=base.user_id,
                    base=base,
                    base_name=base.name,
                    trigger=trigger,
                    retry_of=retry_of,
                )
        except IntegrityError:
            active = active_route(base=base)
            if active is None:
                continue
            if active.status == RunStatus.QUEUED and recovery.looks_lost(active):
                _enqueue(active)
            return active, False
        _enqueue(event)
        return event, True
    raise RuntimeError(f"Could not create or find the active route of base {base.pk}")


def retry_route(*, event: RouteRun) -> RouteRun:
    """A new route of the same base with `retry_of` set. The run reads every child again, so it
    continues where the failed one stopped. Raises RouteNotRetryable or RouteAlreadyActive."""
    current = RouteRun.objects.filter(pk=event.pk).select_related("base").first()
    if current is None or current.kind != RouteRunKind.ROUTE:
        raise RouteNotRetryable("Only routes can be retried here.")
    if current.status not in RETRYABLE_STATUSES:
        raise RouteNotRetryable(
            f"{first_up(run_name(current))} is {current.get_status_display().lower()}; "
            "only a failed or cancelled route can be retried."
        )
    if current.base is None:
        raise RouteNotRetryable("This route's base playlist was deleted.")
    already = RouteRun.objects.filter(retry_of_id=event.pk).first()
    if already is not None:
        raise RouteNotRetryable(f"{first_up(run_name(current))} was already retried as {run_name(already)}.")
    retry, created = request_route(base=current.base, trigger=RouteTrigger.RETRY, retry_of=current)
    if not created:
        raise RouteAlreadyActive(
            f"{first_up(run_name(retry))} of this base is already {retry.get_status_display().lower()}; "
            "wait for it to finish.",
            active=retry,
        )
    return retry


def ensure_no_playlist_run(*, base_id: int) -> None:
    """Refuse while a duplicate removal (or its undo) changes the base's playlist or a child's.
    Called with the base row locked: a removal takes the same lock before it starts, so the two
    never both begin."""
    busy = selectors.active_playlist_run(base_id=base_id)
    if busy is not None:
        raise RouteAlreadyActive(
            f"{first_up(run_name(busy))} is {busy.get_status_display().lower()} on a playlist of this "
            "routing set-up; try once it has finished.",
            active=busy,
        )


def ensure_not_routing(*, user: User, spotify_id: str) -> None:
    """Refuse a duplicate removal (or its undo) of a playlist whose routing set-up (as its base
    or a child) has a route or restore under way. Locks that base's row for the rest of the
    transaction, as a route's start does, so the two never both begin."""
    part = RoutedPlaylist.objects.filter(user=user, spotify_id=spotify_id).select_related("child").first()
    if part is None:
        return
    base_id = part.base_id or part.child.base_id
    lock_base(base_id=base_id, for_edit=False)
    active = selectors.active_routing_run(base_id=base_id)
    if active is not None:
        raise RouteAlreadyActive(
            f"{first_up(run_name(active))} of this playlist's routing set-up is "
            f"{active.get_status_display().lower()}; try once it has finished.",
            active=active,
        )


def active_route(*, base: BasePlaylist) -> RouteRun | None:
    """The route or restore of this base that is queued, running or waiting for confirmation."""
    return selectors.active_routing_run(base_id=base.pk)


def _enqueue(event: RouteRun) -> None:
    runs.enqueue_on_commit(event, failed_reason=ENQUEUE_FAILED_REASON)


def ensure_connected(*, user: User) -> None:
    """RouteNotPossible unless the user has a usable Spotify connection (routes write to it)."""
    state = account_selectors.get_connection_state(user=user)
    if state.status == ConnectionStatus.NOT_CONNECTED:
        raise RouteNotPossible("Connect Spotify first: routing writes to your Spotify playlists.")
    if state.status == ConnectionStatus.RECONNECT_NEEDED:
        raise RouteNotPossible("Spotify access needs renewing: sign in with Spotify again, then sync.")
