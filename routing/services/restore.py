"""Undo: bring a route's children back to what they held before it ("Restore"), as a run of its own.

`request_restore` queues a restore run for a finished route (or restore) that wrote to at
least one child; `run_restore` is what the queue calls. The run reads each of those
children in full, stores a backup of it (so the restore is itself undoable), and makes the
fewest writes that bring it back to the stored rows (routing.services.child_writes.plan_restore).
It holds the base like a route (one route or restore per base at a time) and fails,
postpones and resumes like one. A child detached since and now part of another routing set-up
(another base's child, or a base) is left alone and named in the run's details: its own
routes write to it now, and only its own backups may restore it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from routing import selectors
from routing.metadata import CacheCounters, PlaylistItemsCache
from routing.models import ChildBackup, ChildPlaylist, RouteRun, RouteRunKind
from routing.naming import first_up, run_name
from routing.services.child_reads import ChildReader
from routing.services.child_writes import ChildChange, plan_restore
from routing.services.dedupe_plan import PlanError, plan_put_back
from routing.services.claims import current_holder
from routing.services.child_sends import write_child
from routing.services.route_state import RouteLedger, claim_run
from routing.services.setup import lock_base
from routing.services.triggers import (
    RouteTriggerError,
    ensure_connected,
    ensure_no_playlist_run,
    ensure_not_routing,
)
from core import runs
from core.runs import ACTIVE_STATUSES, RunStatus
from spotify.client import get_spotify_client
from spotify.reader import SpotifyReader
from spotify.runs import RunStepFailed, run_to_end, spotify_step

__all__ = ["RUN_RESTORE_TASK", "RestoreNotPossible", "request_restore", "retry_restore", "run_restore"]

RUN_RESTORE_TASK = RouteRun.tasks_by_kind[RouteRunKind.RESTORE]
UNEXPECTED_MESSAGE = "The restore stopped on an unexpected error (details are in the server log). Retry it."
ENQUEUE_FAILED_REASON = "The restore could not be queued (the task broker did not answer). Try again."
RESTORE_HINT = "Children restored before it are back; restore again to finish."


class RestoreNotPossible(RouteTriggerError):
    """This run cannot be restored now; the message says why (409 in the API)."""


class RestoreLedger(RouteLedger):
    label = "restore"
    task = RUN_RESTORE_TASK


def retry_restore(*, event: RouteRun) -> RouteRun:
    """Run a failed or cancelled restore again: the same backups, the children read afresh."""
    if event.kind != RouteRunKind.RESTORE or event.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        raise RestoreNotPossible(
            f"Only a failed or cancelled restore can be retried; {run_name(event)} is "
            f"{event.get_status_display().lower()}."
        )
    if event.restore_of is None:
        raise RestoreNotPossible("The run this restore undid no longer exists.")
    if RouteRun.objects.filter(retry_of=event).exists():
        raise RestoreNotPossible(f"{first_up(run_name(event))} was already retried.")
    return request_restore(event=event.restore_of, trigger="retry", retry_of=event)


def request_restore(*, event: RouteRun, trigger: str, retry_of: RouteRun | None = None) -> RouteRun:
    """Queue a restore of `event`'s children to their backups from before it.

    Raises RestoreNotPossible when `event` is not a finished route or restore with backups,
    when its base was deleted, or when a route or restore of the base is active; and
    RouteNotPossible without a usable Spotify connection.
    """
    if event.status in ACTIVE_STATUSES:
        raise RestoreNotPossible(
            f"{first_up(run_name(event))} is {event.get_status_display().lower()}; "
            "it can be undone once it has finished."
        )
    if not ChildBackup.objects.filter(run=event).exists():
        raise RestoreNotPossible(
            f"{first_up(run_name(event))} wrote to no child playlist: there is nothing to undo."
        )
    if event.base_id is None and not event.target_spotify_id:
        raise RestoreNotPossible(
            "The base of this run was deleted, so it cannot be restored here; download its backups instead."
        )
    ensure_connected(user=event.user)
    try:
        with transaction.atomic():
            if event.target_spotify_id:
                # A duplicate removal's undo waits for a route of the set-up its playlist is in.
                ensure_not_routing(user=event.user, spotify_id=event.target_spotify_id)
            elif event.base_id is not None:
                lock_base(base_id=event.base_id, for_edit=False)
                ensure_no_playlist_run(base_id=event.base_id)
            restore = RouteRun.objects.create(
                kind=RouteRunKind.RESTORE,
                user=event.user,
                base_id=event.base_id,
                base_name=event.base_name,
                trigger=trigger,
                restore_of=event,
                retry_of=retry_of,
                # A duplicate removal's playlist: its undo holds it the same way.
                target_spotify_id=event.target_spotify_id,
            )
    except IntegrityError:
        active = _active_for(event)
        if active is None:
            raise
        raise RestoreNotPossible(
            f"{first_up(run_name(active))} of this {'playlist' if event.target_spotify_id else 'base'} is "
            f"{active.get_status_display().lower()}; "
            "restore once it has finished."
        ) from None
    runs.enqueue_on_commit(restore, failed_reason=ENQUEUE_FAILED_REASON)
    return restore


def _active_for(event: RouteRun) -> RouteRun | None:
    """The run in the way of restoring `event`: of its base, or of its one playlist."""
    if event.target_spotify_id:
        return RouteRun.objects.filter(
            user_id=event.user_id, target_spotify_id=event.target_spotify_id, status__in=ACTIVE_STATUSES
        ).first()
    return selectors.active_routing_run(base_id=event.base_id)


def run_restore(*, run_id: int) -> RouteRun | None:
    """Run one queued restore to its end. Returns the run afterwards, or None if there is none."""
    event = claim_run(run_id=run_id, kind=RouteRunKind.RESTORE, select_related=("user",))
    if event is None:
        return RouteRun.objects.filter(pk=run_id).first()
    ledger = RestoreLedger(event=event)

    def body() -> None:
        targets = list(ChildBackup.objects.filter(run_id=event.restore_of_id).select_related("child"))
        ledger.planned(children=len(targets), tracks=sum(backup.track_count for backup in targets))
        with get_spotify_client(user=event.user) as client:
            ledger.stats = client.stats
            reader = SpotifyReader(client=client, mode=settings.SPOTIFY_APP_MODE)
            children = ChildReader(reader=reader, cache=PlaylistItemsCache(counters=CacheCounters()))
            for target in targets:
                holder = current_holder(user_id=event.user_id, spotify_id=target.spotify_id)
                # A duplicate removal's undo puts back the listener's own playlist whatever part it
                # plays in routing: it held those rows before, and only that run changed them.
                if not event.target_spotify_id and holder is not None and not (
                    isinstance(holder, ChildPlaylist) and holder.base_id == event.base_id
                ):
                    # Detached since, and now another base's child or a base: its routes own it now.
                    ledger.details.setdefault("skipped", []).append(target.name)
                    ledger.child_done(
                        spotify_id=target.spotify_id,
                        writes={"added": 0, "removed": 0, "write_requests": 0, "requests": 0},
                    )
                    continue
                writes = _restore_child(
                    event=event, target=target, client=client, children=children, ledger=ledger
                )
                ledger.child_done(spotify_id=target.spotify_id, writes=writes)
        ledger.complete()

    run_to_end(ledger=ledger, body=body, unexpected=UNEXPECTED_MESSAGE)
    return RouteRun.objects.get(pk=run_id)


def _dedupe_undo(current: list[str], target: ChildBackup) -> ChildChange | None:
    """A duplicate removal's undo: its playlist is the backup less some rows (the removed copies,
    or the tracks a part-way removal took out), so each goes back at its backup position, local
    files or not. None when the playlist changed since in another way."""
    try:
        return plan_put_back(current=current, target=target.uris)
    except PlanError:
        return None


def _restore_child(
    *, event, target: ChildBackup, client, children: ChildReader, ledger: RestoreLedger
) -> dict:
    with spotify_step(f"Could not read the child playlist “{target.name}”", hint=RESTORE_HINT):
        contents = children.read(spotify_id=target.spotify_id, name=target.name)
    change = _dedupe_undo(contents.uris, target) if event.target_spotify_id else None
    if change is None:
        change = plan_restore(current=contents.uris, backup=target.uris)
    if not change.exact:
        if event.target_spotify_id:
            # Succeeding here would tell the listener their copies are back when they are not.
            raise RunStepFailed(
                f"“{target.name}” changed since the duplicates were removed and holds a local file or "
                "unavailable track, so the removed copies cannot be put back in place; nothing was "
                "written. Download the backup to add them back by hand."
            )
        ledger.details.setdefault("inexact", []).append(target.name)
    return write_child(
        client=client,
        ledger=ledger,
        reader=children,
        user_id=event.user_id,
        child=target.child,
        spotify_id=target.spotify_id,
        name=target.name,
        contents=contents,
        change=change,
    )
