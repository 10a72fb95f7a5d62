"""Remove duplicates from a playlist the listener owns, as a run with a backup and an undo.

The listener reviews the duplicates the mirror shows (library.selectors.list_duplicates) and
confirms exactly which rows go; `request_dedupe` checks that plan against the mirror and queues
a DEDUPE RouteRun holding it (a web request never writes to Spotify). `run_dedupe`, on the
queue, reads the playlist from Spotify in full and writes only if it is still the one the
listener reviewed (the same snapshot, the same tracks at the confirmed rows): anything else
fails the run with nothing written. It stores a backup before its first write, so the usual
Restore (routing.services.restore) undoes it. One duplicate removal or undo per playlist at a
time: the database's rule (RouteRun.target_spotify_id); none while a route or restore of the
playlist's routing set-up is under way, nor one of those during it (both start under the base's
row lock).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.selectors import get_credential
from core import runs
from core.runs import RunStatus
from library.models import Playlist
from library.selectors import TRACK_URI, list_duplicates
from library.services import forget_removed_rows
from routing.metadata import CacheCounters, PlaylistItemsCache
from routing.models import ChildBackup, RouteRun, RouteRunKind
from routing.services.child_reads import ChildContents, ChildReader
from routing.services.base_reads import RETRY_HINT
from routing.services.child_writes import ChildChange
from routing.services.dedupe_plan import PlanError, plan_dedupe, plan_resume
from routing.services.child_sends import write_child
from routing.services.route_state import RouteLedger, claim_run
from routing.services.triggers import RouteTriggerError, ensure_connected, ensure_not_routing
from spotify.client import get_spotify_client
from spotify.reader import SpotifyReader
from spotify.runs import RunStepFailed, run_to_end, spotify_step

__all__ = ["DedupeInvalid", "DedupeNotPossible", "request_dedupe", "run_dedupe"]

RUN_DEDUPE_TASK = RouteRun.tasks_by_kind[RouteRunKind.DEDUPE]
PLAN = "plan"
# The playlist's snapshot_id after the run's last accepted write: a resumed run writes only to
# the playlist exactly as it left it.
LAST_SNAPSHOT = "last_snapshot"
UNEXPECTED_MESSAGE = "The duplicate removal stopped on an unexpected error (details are in the server log)."
ENQUEUE_FAILED_REASON = "The duplicate removal could not be queued (the task broker did not answer). Try again."
HINT = "Undo it to bring the playlist back as it was before."
CHANGED = (
    "“{name}” changed on Spotify since you reviewed its duplicates, so nothing was removed. "
    "Sync, then review its duplicates again."
)


class DedupeNotPossible(RouteTriggerError):
    """Duplicates cannot be removed from this playlist now; the message says why (409)."""


class DedupeInvalid(RouteTriggerError):
    """The confirmed plan does not fit the playlist as reviewed (400, by field)."""

    status = 400

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class DedupeLedger(RouteLedger):
    label = "duplicate removal"
    task = RUN_DEDUPE_TASK


def request_dedupe(
    *, user: User, playlist: Playlist, positions: Any, snapshot_id: Any, trigger: str
) -> RouteRun:
    """Queue the removal of the rows at `positions` (each a later copy of a recording the
    playlist holds earlier) from `playlist`, as reviewed at `snapshot_id` (the mirror's)."""
    credential = get_credential(user=user)
    listed = list_duplicates(
        user=user, spotify_user_id=credential.spotify_user_id if credential else "", playlist=playlist
    )
    if not listed:
        raise DedupeNotPossible("Spotify does not let this app read this playlist's tracks.")
    (found,) = listed
    if found.read_only_reason:
        raise DedupeNotPossible(found.read_only_reason)
    if not isinstance(snapshot_id, str) or snapshot_id != playlist.snapshot_id or not snapshot_id:
        raise DedupeInvalid(
            "The playlist changed since you reviewed it (or was never read in full): review its duplicates again.",
            field="snapshot_id",
        )
    chosen = _positions(positions)
    removable = {row.position: row for row in found.removable}
    unknown = sorted(set(chosen) - set(removable))
    if unknown:
        raise DedupeInvalid(
            f"Row(s) {', '.join(map(str, unknown))} are not later copies of a track in this playlist.",
            field="positions",
        )
    ensure_connected(user=user)
    plan = {
        "playlist": playlist.name,
        "snapshot_id": snapshot_id,
        "rows": [{"position": p, "uri": removable[p].uri, "name": removable[p].name} for p in sorted(chosen)],
    }
    try:
        with transaction.atomic():
            ensure_not_routing(user=user, spotify_id=playlist.spotify_id)
            event = RouteRun.objects.create(
                kind=RouteRunKind.DEDUPE,
                user=user,
                base_name=playlist.name,
                target_spotify_id=playlist.spotify_id,
                trigger=trigger,
                details={PLAN: plan},
            )
    except IntegrityError:
        raise DedupeNotPossible(
            f"A duplicate removal or undo of “{playlist.name}” is already under way; try once it has finished."
        ) from None
    runs.enqueue_on_commit(event, failed_reason=ENQUEUE_FAILED_REASON)
    return event


def _positions(value: Any) -> list[int]:
    if not isinstance(value, list) or not value:
        raise DedupeInvalid("Choose at least one duplicate to remove.", field="positions")
    if not all(isinstance(p, int) and not isinstance(p, bool) for p in value) or len(set(value)) != len(value):
        raise DedupeInvalid("Positions are whole numbers, each once.", field="positions")
    return list(value)


def run_dedupe(*, run_id: int) -> RouteRun | None:
    """Run one queued duplicate removal to its end; the run afterwards (None if there is none)."""
    event = claim_run(run_id=run_id, kind=RouteRunKind.DEDUPE, select_related=("user",))
    if event is None:
        return RouteRun.objects.filter(pk=run_id).first()
    ledger = DedupeLedger(event=event)
    plan = (event.details or {}).get(PLAN) or {}
    ledger.details[PLAN] = plan
    if (event.details or {}).get(LAST_SNAPSHOT):
        ledger.details[LAST_SNAPSHOT] = event.details[LAST_SNAPSHOT]

    def wrote(snapshot_id: str) -> None:
        ledger.details[LAST_SNAPSHOT] = snapshot_id

    def body() -> None:
        name, target = plan.get("playlist") or event.base_name, event.target_spotify_id
        drop = {row["position"]: row["uri"] for row in plan.get("rows") or []}
        ledger.planned(children=1, tracks=len(drop))
        with get_spotify_client(user=event.user) as client:
            ledger.stats = client.stats
            reader = SpotifyReader(client=client, mode=settings.SPOTIFY_APP_MODE)
            children = ChildReader(reader=reader, cache=PlaylistItemsCache(counters=CacheCounters()))
            with spotify_step(f"Could not read the playlist “{name}”", hint="Nothing was removed."):
                contents = children.read(spotify_id=target, name=name)
            started = ChildBackup.objects.filter(run_id=event.pk, spotify_id=target).first()
            if started is None:
                change = _first_plan(contents=contents, plan=plan, drop=drop, name=name)
            else:
                expected = ledger.details.get(LAST_SNAPSHOT) or started.snapshot_id
                change = _resumed_plan(
                    contents=contents, expected=expected, backup=started.uris, drop=drop, name=name
                )
            try:
                writes = write_child(
                    client=client, ledger=ledger, reader=children, user_id=event.user_id, child=None,
                    spotify_id=target, name=name, contents=contents, change=change, on_snapshot=wrote,
                )  # fmt: skip
            except RunStepFailed as exc:
                # A route's wording ("a retry goes on from there") does not fit: this run is not
                # retried, and a copy taken out may not be back yet. The backup is stored.
                reason = exc.reason.replace(RETRY_HINT, "").strip()
                raise RunStepFailed(f"{reason} Some tracks may be missing from it now. {HINT}") from exc
            # The re-added kept copies are not additions: the listener sees only what went.
            writes.update(added=0, removed=len(drop))
            ledger.child_done(spotify_id=target, writes=writes)
        ledger.complete()

    run_to_end(ledger=ledger, body=body, unexpected=UNEXPECTED_MESSAGE)
    finished = RouteRun.objects.get(pk=run_id)
    if finished.status == RunStatus.SUCCEEDED:
        _forget_in_mirror(run=finished, plan=plan)
    return finished


def _forget_in_mirror(*, run: RouteRun, plan: dict) -> None:
    """The rows that went leave the mirror too, so the duplicates page stops listing them before
    the next import (which reads the playlist again: its snapshot is left as reviewed)."""
    removed = {
        row["position"]: row["uri"].removeprefix(TRACK_URI)
        for row in plan.get("rows") or []
        if row["uri"].startswith(TRACK_URI)
    }
    forget_removed_rows(
        user_id=run.user_id,
        spotify_id=run.target_spotify_id,
        reviewed_snapshot=plan.get("snapshot_id") or "",
        removed=removed,
    )


def _first_plan(*, contents: ChildContents, plan: dict, drop: dict[int, str], name: str) -> ChildChange:
    """Write only to the playlist the listener reviewed: same snapshot, same rows where they chose."""
    rows = contents.uris
    if contents.snapshot_id != plan.get("snapshot_id") or any(
        position >= len(rows) or rows[position] != uri for position, uri in drop.items()
    ):
        raise RunStepFailed(CHANGED.format(name=name))
    try:
        return plan_dedupe(rows=rows, drop=drop)
    except PlanError as exc:
        raise RunStepFailed(f"{exc} {HINT}") from exc


def _resumed_plan(
    *, contents: ChildContents, expected: str, backup: list[str], drop: dict[int, str], name: str
) -> ChildChange:
    """A run that stopped part-way (postponed by Spotify, worker gone) finishes towards the same
    rows: the backup it took, less the confirmed ones, every kept copy back at its place. Only
    if the playlist is exactly as the run left it (the snapshot of its last write): anything
    else, the listener's own edits included, stops it with nothing written."""
    stopped = RunStepFailed(
        f"“{name}” changed on Spotify while its duplicates were being removed; stopped. {HINT}"
    )
    if not expected or contents.snapshot_id != expected:
        raise stopped
    try:
        return plan_resume(current=contents.uris, backup=backup, drop=drop)
    except PlanError as exc:
        raise stopped from exc
