"""Import a user's Spotify library into the mirror: `run_import`, what the queue calls.

The shape of a run, and why:
- Claim the event with one conditional UPDATE: a duplicate delivery finds nothing to do.
- Read the whole playlist list (and the first page of Liked Songs) before writing
  anything; playlists whose snapshot_id did not change cost no item request, and their
  cheap listing metadata is refreshed in one bulk statement.
- For each new or changed playlist: fetch all its item pages first, then write it in one
  transaction (catalog, metadata, items, snapshot_id, event progress). A Spotify failure
  in playlist k therefore leaves k as it was, and every playlist before it committed.
- The item pages of all those playlists are known from the listing, so a few threads
  (SPOTIFY_FETCH_CONCURRENCY) fetch them ahead, in the same order, while this thread
  writes the playlists before; they only do HTTP, and a page they could not get cleanly
  is fetched again here through the client's retry policy. Whatever they fetched for a
  playlist the run never reaches is dropped when it stops.
- A long Retry-After puts the event back in the queue with a schedule; on resume the
  finished playlists already carry their new snapshot_id, so only the listing is read again.
- Turns: a big library's import gives its worker to other listeners. Once IMPORT_TURN_SECONDS
  have passed and another listener's run waits on the same queue, the turn is over: nothing of
  the next playlist is read ahead any more, the playlists whose pages were already sent are
  written (so no page is read twice), and the run goes to the back of the queue (core.runs
  Claim.yield_turn); it goes on like a resumed run. What the finished import announces (changed
  and renamed playlists) is kept in its details meanwhile.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator
from itertools import chain

from django.conf import settings
from django.db import transaction

from accounts.models import SpotifyCredential
from core import runs
from core.queues import INTERACTIVE
from library.models import ItemsStatus, Playlist, PlaylistKind
from library.records import PlaylistRecord
from library.services import (
    METADATA_FIELDS,
    reconcile_listed_playlists,
    save_playlist_metadata,
    store_playlist,
    upsert_catalog,
)
from spotify.client import SpotifyClient, get_spotify_client
from spotify.parsing import ItemCollector, liked_songs_record, playlist_record
from spotify.reader import ItemsRefused, PlannedItems, PlaylistGone, SpotifyReader
from sync.models import ImportScope, SyncEvent
from sync.services.import_state import ImportLedger, claim_import
from spotify.runs import RunStepFailed, run_to_end, spotify_step
from sync.signals import send_import_completed

logger = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = (
    "The import stopped on an unexpected error (details are in the server log). "
    "Playlists already read are kept; a retry goes on from there."
)
SAVED_SO_FAR = "Playlists already read are kept; a retry goes on from there."


def run_import(*, event_id: int, turn: int | None = None) -> SyncEvent | None:
    """Run one queued import event to its end (completed, failed, or queued again for later).
    `turn`: the claim count its task was sent with (a task of an older turn does nothing).

    Returns the event as it stands afterwards, or None if it does not exist.
    """
    event = claim_import(event_id=event_id, turn=turn)
    if event is None:
        # Already running or finished, not due yet, or gone: nothing to do, nothing touched.
        return SyncEvent.objects.filter(pk=event_id).first()
    ledger = ImportLedger(event=event)

    def body() -> None:
        with get_spotify_client(user=event.user) as client:
            ledger.stats = client.stats
            finished = LibraryImport(event=event, client=client, ledger=ledger).run()
        if not finished:
            ledger.give_turn()
            return
        changed, renamed = ledger.changed_playlist_ids, ledger.renamed_spotify_ids
        ledger.complete()
        # Routing, analysis and insights follow from here (sync.signals names them), once the
        # completed import is committed; none of them can fail it.
        send_import_completed(
            user_id=event.user_id,
            event_id=event.pk,
            changed_playlist_ids=changed,
            renamed_spotify_ids=renamed,
        )

    run_to_end(ledger=ledger, body=body, unexpected=UNEXPECTED_MESSAGE)
    return SyncEvent.objects.get(pk=event_id)


class LibraryImport:
    """One run over one user's library; see the module docstring for the order of things."""

    def __init__(self, *, event: SyncEvent, client: SpotifyClient, ledger: ImportLedger) -> None:
        self.user = event.user
        self.full = event.scope == ImportScope.FULL
        self.mode = settings.SPOTIFY_APP_MODE
        self.reader = SpotifyReader(
            client=client, mode=self.mode, concurrency=settings.SPOTIFY_FETCH_CONCURRENCY
        )
        self.ledger = ledger
        self.catalogued: dict[str, set[str]] = {"artists": set(), "albums": set(), "tracks": set()}
        self.known_snapshots: dict[str, str] = {}
        # This turn's slice: when it started, how long, whether it is over and the run winds
        # down (the module docstring's "Turns").
        self.slice_started = time.monotonic()
        self.slice_seconds: float = settings.IMPORT_TURN_SECONDS
        self.turn_over = False
        self.winding_down = False
        self.spotify_user_id = (
            SpotifyCredential.objects.filter(user=self.user).values_list("spotify_user_id", flat=True).first()
            or ""
        )

    def run(self) -> bool:
        """Import the library; False when the run stopped early to give its turn to others."""
        listing_began = time.monotonic()
        with spotify_step("Could not list your playlists", hint=SAVED_SO_FAR):
            listing = self.reader.playlists()
            liked_first_page = self.reader.liked_songs_first_page()
        liked = liked_songs_record(
            first_page=liked_first_page,
            owner_spotify_id=self.spotify_user_id,
            owner_name=self.user.display_name or self.user.username,
        )
        records = [liked, *self._listed(listing.playlists)]
        known = {playlist.spotify_id: playlist for playlist in Playlist.objects.filter(user=self.user)}
        self.known_snapshots = {spotify_id: playlist.snapshot_id for spotify_id, playlist in known.items()}
        todo = [record for record in records if self._needs_items(record, known.get(record.spotify_id))]
        todo_ids = {record.spotify_id for record in todo}
        refresh = [
            record
            for record in records
            if record.spotify_id not in todo_ids
            and record.spotify_id in known
            and _metadata_differs(record, known[record.spotify_id])
        ]
        try:
            self.reader.read_ahead(
                liked_first_page=liked_first_page if liked.spotify_id in todo_ids else None,
                playlists=[self._planned(record) for record in todo if record is not liked],
                # Once the turn is over, no page of the next playlist is read ahead: the run gives
                # its turn when the playlist in hand is written, not one big playlist later.
                may_read_on=lambda: not self._turn_is_over(),
            )
            with transaction.atomic():
                listing_seen = None
                # Once per import, however many turns (or postponements) it takes: a playlist is
                # removed only when two imports' listings missed it, not two turns of one.
                if not self.ledger.reconciled:
                    missing = reconcile_listed_playlists(
                        user=self.user,
                        listed_spotify_ids=[r.spotify_id for r in records],
                        complete=listing.complete,
                    )
                    listing_seen = {
                        "complete": listing.complete,
                        "not_seen": len(missing.marked),
                        "removed": len(missing.removed),
                    }
                save_playlist_metadata(user=self.user, playlists=refresh)
                self.ledger.planned(
                    playlists_total=len(records),
                    done=len(records) - len(todo),
                    listing=listing_seen,
                    skipped_nulls=listing.null_rows,
                    # Spotify lists these under a new name (the bases among them take it).
                    renamed=[r.spotify_id for r in records if _renamed(r, known.get(r.spotify_id))],
                )
            # The slice starts once the listing is read, and is never shorter than the listing
            # took: a library of thousands of playlists still writes many of them a turn.
            self.slice_started = time.monotonic()
            if settings.IMPORT_TURN_SECONDS:
                self.slice_seconds = max(settings.IMPORT_TURN_SECONDS, self.slice_started - listing_began)
            left = 0
            for index, record in enumerate(todo):
                # At least one playlist a turn (and none a turn wrote or skipped comes back: it is
                # listed in the run's details), so every turn moves the import on.
                if index and not self.winding_down and self._turn_is_over():
                    self.winding_down = True
                    self.reader.wind_down()
                if self.winding_down and not self._already_paid_for(record):
                    left += 1  # for the next turn; the ones after it may have pages sent already
                    continue
                self._import_items(record, first_page=liked_first_page if record is liked else None)
        finally:
            self.reader.close()
        if left:
            logger.info("Import #%s gives its turn with %d playlists left.", self.ledger.event_id, left)
        return not left

    def _turn_is_over(self) -> bool:
        """This turn's slice is used up and another listener waits for an interactive worker
        (then it stays over); with nobody waiting, a new slice starts (one query a slice)."""
        if self.turn_over or time.monotonic() - self.slice_started < self.slice_seconds:
            return self.turn_over
        if runs.others_waiting(queue=INTERACTIVE, user_id=self.user.pk):
            self.turn_over = True
        else:
            self.slice_started = time.monotonic()
        return self.turn_over

    def _already_paid_for(self, record: PlaylistRecord) -> bool:
        """Importing it now sends no request that was not sent already: its pages were read ahead
        (dropping them would read them twice), or it has no items to read."""
        return (record.items_total == 0 and record.items_listed) or self.reader.read_ahead_started(
            record.spotify_id
        )

    def _planned(self, record: PlaylistRecord) -> PlannedItems:
        return PlannedItems(
            playlist_id=record.spotify_id,
            items_total=record.items_total,
            # Development mode serves the items of the user's own playlists (and those
            # they collaborate on); someone else's usually answer 403 on the first page.
            first_page_alone=self.mode == "development" and record.owner_spotify_id != self.spotify_user_id,
        )

    def _listed(self, listing: list[dict]) -> list[PlaylistRecord]:
        records: dict[str, PlaylistRecord] = {}
        for obj in listing:
            # Positions follow Spotify's order, after Liked Songs (0).
            records.setdefault(obj["id"], playlist_record(obj, list_position=len(records) + 1))
        return list(records.values())

    def _needs_items(self, record: PlaylistRecord, known: Playlist | None) -> bool:
        if record.spotify_id in self.ledger.done_this_run:
            return False  # written or skipped by an earlier turn: changed since, the next import has it
        if known is None or known.snapshot_id != record.snapshot_id:
            return True
        if self.full:
            return True
        # Refused in Development mode, maybe readable now the app has Extended access.
        return self.mode == "extended" and known.items_status == ItemsStatus.NOT_AVAILABLE

    def _import_items(self, record: PlaylistRecord, *, first_page: dict | None) -> None:
        collector = ItemCollector()
        refused = False
        with spotify_step(f'Could not read the playlist "{record.name}"', hint=SAVED_SO_FAR):
            try:
                for page in self._item_pages(record, first_page=first_page):
                    collector.add_page(page)
            except ItemsRefused:
                if record.owner_spotify_id == self.spotify_user_id:
                    raise RunStepFailed(
                        f'Spotify refused to read your own playlist "{record.name}" (403). {SAVED_SO_FAR}'
                    ) from None
                refused = True
            except PlaylistGone:
                # Deleted after the listing was read: leave the mirror as it is; the next
                # import's listing no longer has it and removes it then.
                logger.info("Playlist %s vanished during import #%s", record.spotify_id, self.ledger.event_id)
                self.ledger.playlist_skipped(record_done=record.spotify_id)
                return
        if collector.total is not None:
            # The item pages are fresher than the listing, should the playlist have changed since.
            record = dataclasses.replace(record, items_total=collector.total)
        # Catalog rows written earlier in this run are not written again: the same songs
        # recur across a listener's playlists, and this halves the catalog writes of a
        # first import. Only committed rows count as written.
        fresh = {
            kind: [row for spotify_id, row in rows.items() if spotify_id not in self.catalogued[kind]]
            for kind, rows in (
                ("artists", collector.artists),
                ("albums", collector.albums),
                ("tracks", collector.tracks),
            )
        }
        with transaction.atomic():
            upsert_catalog(**fresh)
            saved = store_playlist(
                user=self.user, playlist=record, items=None if refused else collector.items
            )
            # Replaced with a new snapshot (not a full scope's rewrite of an unchanged one): a
            # base among them may route automatically once the import is done.
            changed = self.known_snapshots.get(record.spotify_id) != record.snapshot_id
            self.ledger.playlist_done(
                items=len(collector.items),
                record_done=record.spotify_id,
                skipped_nulls=collector.skipped_nulls,
                changed_playlist_id=saved.pk if changed else None,
            )
        for kind, rows in fresh.items():
            self.catalogued[kind].update(row.spotify_id for row in rows)

    def _item_pages(self, record: PlaylistRecord, *, first_page: dict | None) -> Iterator[dict]:
        if record.kind == PlaylistKind.LIKED_SONGS and first_page is not None:
            return chain([first_page], self.reader.liked_songs_pages_after(first_page))
        if record.items_total == 0 and record.items_listed:
            return iter(())  # nothing to read, so no request
        # Listed without an items reference (the total is unknown): the first page's answer
        # says whether they can be read (a 403 stores the playlist as not available).
        return self.reader.playlist_item_pages(record.spotify_id)


def _renamed(record: PlaylistRecord, known: Playlist | None) -> bool:
    return known is not None and known.name != record.name


def _metadata_differs(record: PlaylistRecord, known: Playlist) -> bool:
    return any(getattr(record, field) != getattr(known, field) for field in METADATA_FIELDS)
