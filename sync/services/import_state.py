"""The SyncEvent side of an import run: claiming it, recording progress, and how it ends.

The claim and the conditional writes are core.runs', the Spotify ledger spotify.runs'; a
lost claim (ClaimLost) rolls back the playlist in hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from sync.models import SyncEvent, SyncKind
from sync.services import run_state
from core.runs import ClaimLost
from spotify.runs import RunLedger
from sync.services.run_state import claim_event

__all__ = [
    "CARRIED_OVER",
    "FULL_SCOPE_DONE",
    "ClaimLost",
    "ImportLedger",
    "claim_import",
    "resume_schedule_name",
]

RESUME_TASK = "sync.tasks.run_import"
# The playlists a run already wrote or skipped, so its next turn or a resumed run skips them (and
# a full scope's retry: hence the name); a turn that does not come back to them always moves on.
FULL_SCOPE_DONE = "full_scope_done"
# Set once the run's listing accounted for the playlists it lacks (library.services
# reconcile_listed_playlists): later turns of the same import do not count a second miss.
RECONCILED = "reconciled"
# Null entries inside Spotify's lists (rows, artists, images) this run passed over.
SKIPPED_NULLS = "skipped_nulls"
# What the finished import announces (sync.signals), gathered over every turn of the run: a run
# that gave its turn or was postponed finds its earlier playlists unchanged when it goes on.
CHANGED_PLAYLISTS = "changed_playlist_ids"
RENAMED_PLAYLISTS = "renamed_spotify_ids"
# Kept only while the run lasts (and handed to a retry), dropped from the finished record.
CARRIED_OVER = (FULL_SCOPE_DONE, CHANGED_PLAYLISTS, RENAMED_PLAYLISTS)


def resume_schedule_name(event_id: int) -> str:
    return run_state.resume_schedule_name(label=ImportLedger.label, event_id=event_id)


def claim_import(*, event_id: int, turn: int | None = None) -> SyncEvent | None:
    """Move a due, queued import to running for this worker; None if it is not ours to run.

    Its playlist count stands until the listing is read again (ImportLedger.planned sets it), so
    a run between two turns never shows less done than before.
    """
    return claim_event(
        event_id=event_id,
        kind=SyncKind.IMPORT,
        reset={"claims": F("claims") + 1},
        select_related=("user",),
        turn=turn,
    )


class ImportLedger(RunLedger):
    """An import run's progress: playlists listed, replaced, skipped; and how it ends."""

    label = "import"
    task = RESUME_TASK

    def __init__(self, *, event: SyncEvent) -> None:
        super().__init__(event=event)
        self.details: dict[str, Any] = dict(event.details or {})

    @property
    def done_this_run(self) -> set[str]:
        return set(self.details.get(FULL_SCOPE_DONE, []))

    @property
    def reconciled(self) -> bool:
        return bool(self.details.get(RECONCILED))

    @property
    def changed_playlist_ids(self) -> list[int]:
        return list(self.details.get(CHANGED_PLAYLISTS, []))

    @property
    def renamed_spotify_ids(self) -> list[str]:
        return list(self.details.get(RENAMED_PLAYLISTS, []))

    def planned(
        self,
        *,
        playlists_total: int,
        done: int,
        listing: dict[str, Any] | None = None,
        skipped_nulls: int = 0,
        renamed: Sequence[str] = (),
    ) -> None:
        """After the listing: how many playlists there are, how many need no items now (unchanged,
        or done by an earlier turn), what the listing said of the playlists it did not have
        (`listing`, kept in details; None when an earlier turn said it), and which it lists under
        a new name (`renamed`, added to those of the run's earlier turns)."""
        fields: dict[str, Any] = {}
        if listing is not None:
            self.details["listing"] = listing
            self.details[RECONCILED] = True
            fields["details"] = self.details
        if renamed:
            self.details[RENAMED_PLAYLISTS] = list(dict.fromkeys([*self.renamed_spotify_ids, *renamed]))
            fields["details"] = self.details
        if skipped_nulls:
            self._add_skipped_nulls(skipped_nulls)
            fields["details"] = self.details
        self._update(
            playlists_total=playlists_total,
            playlists_done=done,
            heartbeat_at=timezone.now(),
            **fields,
        )

    def playlist_done(
        self,
        *,
        items: int,
        record_done: str | None = None,
        skipped_nulls: int = 0,
        changed_playlist_id: int | None = None,
    ) -> None:
        """One playlist's items replaced (`skipped_nulls`: null entries its pages held, passed
        over; `changed_playlist_id`: the mirrored playlist, when it has a new snapshot); call
        inside that playlist's transaction."""
        fields: dict[str, Any] = {
            "playlists_done": F("playlists_done") + 1,
            "playlists_changed": F("playlists_changed") + 1,
            "items_done": F("items_done") + items,
            "heartbeat_at": timezone.now(),
        }
        if record_done is not None:
            self.details[FULL_SCOPE_DONE] = [*self.details.get(FULL_SCOPE_DONE, []), record_done]
            fields["details"] = self.details
        if skipped_nulls:
            self._add_skipped_nulls(skipped_nulls)
            fields["details"] = self.details
        if changed_playlist_id is not None and changed_playlist_id not in self.changed_playlist_ids:
            self.details[CHANGED_PLAYLISTS] = [*self.changed_playlist_ids, changed_playlist_id]
            fields["details"] = self.details
        self._update(**fields)

    def _add_skipped_nulls(self, count: int) -> None:
        # Adds up across a resumed run: finished playlists are not read again (a listing
        # read again may count its own nulls twice, which only overstates a curiosity).
        self.details[SKIPPED_NULLS] = int(self.details.get(SKIPPED_NULLS, 0)) + count

    def playlist_skipped(self, *, record_done: str) -> None:
        self.details[FULL_SCOPE_DONE] = [*self.details.get(FULL_SCOPE_DONE, []), record_done]
        self._update(
            playlists_done=F("playlists_done") + 1, heartbeat_at=timezone.now(), details=self.details
        )

    def complete(self) -> None:
        for key in (*CARRIED_OVER, RECONCILED):
            self.details.pop(key, None)
        now = timezone.now()
        self._succeed(heartbeat_at=now, details=self.details)

    def give_turn(self) -> None:
        """Queued again at the back of the queue, keeping everything done so far (others wait)."""
        if not self._claim.yield_turn(**self._all({"details": self.details})):
            raise ClaimLost(f"{self.label} #{self.event_id} is no longer claimed by {self.worker}")

    def postpone(self, *, resume_at: datetime) -> None:
        self._postpone(resume_at=resume_at, details=self.details)
