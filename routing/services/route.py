"""Route a base playlist into its children on Spotify: `run_route`, what the queue calls.

The shape of a run, and why:
- Claim the event with one conditional UPDATE (routing.services.route_state).
- Read the base in full (routing.services.base_reads): if Spotify no longer serves its items,
  or a page is missing, the run fails and touches no child.
- Build TrackFacts from the mirror, enriching only what the children's filters need
  (routing.metadata: artists' genres are looked up on Spotify and kept as they arrive, so a
  postponed run resumes with the artists still unknown; an artist Spotify does not know is
  counted, never a failure), and decide every child's target with route_tracks.
- Read every child in full (routing.services.child_reads) and plan its writes. A child the
  plan would empty, or strip of more than the configured share, stops the whole run before
  its first write: the run waits for the listener's confirmation (routing.services.removal_guard).
- Per child: store a backup of what it holds (routing.services.backups), then make the fewest
  writes that leave it holding its target in the base's order (routing.services.child_writes:
  one atomic PUT for up to 100 tracks; else inserts in place before removals, so a failure
  part-way never empties it). The next run reads the child again and finishes the job.
- Spotify calls happen outside transactions; the only transactions store the base and
  write back artist metadata, each with everything it needs already in hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from analysis import selectors as analysis_selectors
from insights.selectors.history import play_counts
from library.models import ItemKind, PlaylistItem, TrackArtist
from routing.filters import (
    ArtistFacts,
    FilterDocument,
    FilterValidationError,
    Metadata,
    TrackFacts,
    route_tracks,
    validate_filters,
)
from routing.metadata import ArtistLookup, CacheCounters, MetadataFetcher, PlaylistItemsCache
from routing.models import BasePlaylist, ChildPlaylist
from routing.services import removal_guard
from routing.services.base_reads import (
    UNTOUCHED,
    VerifiedBase,
    read_base,
    verify_unchanged,
)
from routing.services.child_reads import ChildContents, ChildReader
from routing.services.child_sends import write_child
from routing.services.child_writes import ChildChange, plan_change
from routing.services.route_state import RouteLedger, claim_route
from routing.models import RouteRun
from spotify.client import SpotifyClient, get_spotify_client
from spotify.reader import SpotifyReader
from spotify.runs import RunStepFailed, run_to_end, spotify_step

logger = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "The route stopped on an unexpected error (details are in the server log). Retry it."


def run_route(*, run_id: int) -> RouteRun | None:
    """Run one queued route to its end (succeeded, failed, waiting for the listener's
    confirmation, or queued again for later). Returns the run as it stands afterwards, or
    None if it does not exist.
    """
    event = claim_route(run_id=run_id)
    if event is None:
        return RouteRun.objects.filter(pk=run_id).first()
    ledger = RouteLedger(event=event)

    def body() -> None:
        if event.base is None:
            raise RunStepFailed("This route's base playlist was deleted; nothing was written.")
        with get_spotify_client(user=event.user) as client:
            ledger.stats = client.stats
            run = BaseRoute(base=event.base, client=client, ledger=ledger)
            ledger.cache_counters = lambda: {
                "cache": run.fetcher.counters.as_dict(),
                "playlist_items_cache": run.items_cache.counters.as_dict(),
            }
            finished = run.run()
        if finished:
            ledger.complete()

    run_to_end(ledger=ledger, body=body, unexpected=UNEXPECTED_MESSAGE)
    return RouteRun.objects.get(pk=run_id)


@dataclass
class RoutePlan:
    """What a run decided before any write: each child's target track ids, in base order."""

    children: list[ChildPlaylist]
    facts: list[TrackFacts]
    targets: dict[int | None, list[str]]
    # The base's artists' metadata, when a filter needs their genres (None: none does).
    artists: ArtistLookup | None = None
    # The clock the date filters were read with: an explanation of this plan reads the same one.
    now: datetime | None = None


class BaseRoute:
    """One run over one base and its children; see the module docstring for the order.

    `ledger` is None for a dry run (routing.services.preview), which plans and reads but never
    writes; `client` is None for one that only plans from the mirror (the live preview).
    """

    def __init__(
        self, *, base: BasePlaylist, client: SpotifyClient | None, ledger: RouteLedger | None
    ) -> None:
        self.base = base
        self.mode = settings.SPOTIFY_APP_MODE
        self.fetcher = MetadataFetcher(client=client, mode=self.mode)
        self.items_cache = PlaylistItemsCache(counters=CacheCounters())
        if client is not None:  # without one it only plans, from the mirror and what is known
            self.client = client
            self.reader = SpotifyReader(client=client, mode=self.mode)
            self.children_reader = ChildReader(reader=self.reader, cache=self.items_cache)
        self.ledger = ledger
        self.verified: VerifiedBase | None = None  # set once this run read the base

    def run(self) -> bool:
        """Route every child; False when the run stopped to ask the listener."""
        assert self.ledger is not None, "a dry run has no ledger and must not write"
        plan = self.plan(refresh=True)
        self.ledger.planned(children=len(plan.children), tracks=len(plan.facts))
        contents = {child.pk: self.read_child(child) for child in plan.children}
        changes = {child.pk: self._change(child, contents[child.pk], plan) for child in plan.children}
        pending = self._review(plan.children, changes)
        if pending:  # before any write
            self.ledger.await_confirmation(pending=pending)
            return False
        for child in plan.children:
            current, change = contents[child.pk], changes[child.pk]
            if change.writes:
                # Time passed since the read (other children, rate limits): an edit made meanwhile
                # must be in the backup and in the plan. One GET while it is unchanged (cache).
                fresh = self.read_child(child)
                if fresh != current:
                    current, change = fresh, self._change(child, fresh, plan)
                    pending = self._review([child], {child.pk: change})
                    if pending:  # the children before it are done; it waits, unwritten
                        self.ledger.await_confirmation(pending=pending)
                        return False
            writes = self._apply(child=child, contents=current, change=change)
            self.ledger.child_done(spotify_id=child.spotify_id, writes=writes)
        ChildPlaylist.objects.filter(pk__in=[child.pk for child in plan.children]).update(
            routed_at=timezone.now()
        )
        return True

    def _change(self, child: ChildPlaylist, contents: ChildContents, plan: RoutePlan) -> ChildChange:
        return plan_change(current=contents.uris, target=plan.targets[child.pk], mode=child.mode)

    def _review(
        self, children: list[ChildPlaylist], changes: dict[int, ChildChange]
    ) -> list[removal_guard.PendingRemoval]:
        assert self.ledger is not None
        thresholds = removal_guard.Thresholds(
            percent=settings.ROUTE_CONFIRM_REMOVAL_PERCENT, min_tracks=settings.ROUTE_CONFIRM_MIN_TRACKS
        )
        found = (
            removal_guard.review(
                child_id=child.pk,
                spotify_id=child.spotify_id,
                name=child.name,
                change=changes[child.pk],
                thresholds=thresholds,
                confirmed=self.ledger.confirmed.get(child.spotify_id),
                first_route=child.routed_at is None,
            )
            for child in children
        )
        return [pending for pending in found if pending is not None]

    def read_child(self, child: ChildPlaylist) -> ChildContents:
        with spotify_step(f"Could not read the child playlist “{child.name}”", hint=UNTOUCHED):
            return self.children_reader.read(spotify_id=child.spotify_id, name=child.name)

    def plan(
        self, *, refresh: bool, drafts: dict[int | None, FilterDocument] | None = None, look_up: bool = True
    ) -> RoutePlan:
        """Every child's target. `drafts` replace a child's filters (key None: a new last child).
        `look_up` False: artists' metadata only as far as it is known (no Spotify request)."""
        drafts = drafts or {}
        children = list(ChildPlaylist.objects.filter(base=self.base).order_by("position"))
        documents: list[tuple[int | None, FilterDocument]] = [
            (child.pk, drafts[child.pk] if child.pk in drafts else self._document(child))
            for child in children
        ]
        if None in drafts:
            documents.append((None, drafts[None]))
        if refresh:
            self._refresh_base()
        needed = set().union(*(document.needed_metadata for _, document in documents))
        facts, artists = self._facts(needed=needed, look_up=look_up)
        now = timezone.now()
        targets = route_tracks(
            facts=facts, children=documents, first_match_only=self.base.first_match_only, now=now
        )
        return RoutePlan(children=children, facts=facts, targets=targets, artists=artists, now=now)

    def _document(self, child: ChildPlaylist) -> FilterDocument:
        try:
            return validate_filters(child.filters, mode=self.mode)
        except FilterValidationError as exc:
            problems = "; ".join(f"{path}: {message}" for path, message in exc.messages())
            raise RunStepFailed(
                f"The filters of the child playlist “{child.name}” are not valid in this app mode "
                f"({problems}). Edit them, then route again."
            ) from exc

    # --- the base ------------------------------------------------------------------------------
    def _refresh_base(self) -> None:
        """Read the base in full (or fail, writing nothing, also for a disabled base): see
        routing.services.base_reads."""
        self.verified = read_base(base=self.base, reader=self.reader)

    def _facts(self, *, needed: set[str], look_up: bool) -> tuple[list[TrackFacts], ArtistLookup | None]:
        rows = list(
            PlaylistItem.objects.filter(playlist_id=self.base.playlist_id)
            .select_related("track__album")
            .order_by("position")
        )
        if self.verified is not None:
            # Built from exactly the copy read_base checked, or not at all.
            verify_unchanged(base=self.base, verified=self.verified, rows_read=len(rows))
        items = [item for item in rows if item.kind == ItemKind.TRACK]
        track_ids = {item.track_id for item in items}
        credits: dict[str, list[tuple[str, str]]] = {}
        for track_id, artist_id, name in (
            TrackArtist.objects.filter(track_id__in=track_ids)
            .order_by("track_id", "position")
            .values_list("track_id", "artist_id", "artist__name")
        ):
            credits.setdefault(track_id, []).append((artist_id, name))
        lookup: ArtistLookup | None = None
        if Metadata.ARTIST_GENRES in needed:
            artist_ids = (artist_id for pairs in credits.values() for artist_id, _ in pairs)
            if look_up:
                with spotify_step("Could not look up the base's artists on Spotify", hint=UNTOUCHED):
                    lookup = self.fetcher.look_up(artist_ids=artist_ids)
            else:
                lookup = self.fetcher.known(artist_ids=artist_ids)
        meta = lookup.found if lookup is not None else {}
        analyses: dict[str, dict] | None = None
        if Metadata.SONG_ANALYSIS in needed:
            analyses = analysis_selectors.analysis_facts(track_ids=track_ids)
        plays: dict[str, int] | None = None
        if Metadata.PLAYS in needed:
            # The base's owner's own plays: one aggregate query, however long the base.
            plays = play_counts(user_id=self.base.user_id, track_ids=track_ids)
        facts = []
        for item in items:
            track = item.track
            artists = tuple(
                ArtistFacts(
                    spotify_id=artist_id,
                    name=name,
                    genres=meta[artist_id].genres if artist_id in meta else (),
                )
                for artist_id, name in credits.get(track.spotify_id, ())
            )
            facts.append(
                TrackFacts(
                    track_id=track.spotify_id,
                    name=track.name,
                    artists=artists,
                    release_year=track.album.release_year if track.album else None,
                    duration_ms=track.duration_ms,
                    explicit=track.explicit,
                    popularity=track.popularity,
                    added_at=item.added_at,
                    extras=_extras(track_id=track.spotify_id, analyses=analyses, plays=plays),
                )
            )
        return facts, lookup

    # --- a child -------------------------------------------------------------------------------
    def _apply(self, *, child: ChildPlaylist, contents: ChildContents, change: ChildChange) -> dict[str, int]:
        assert self.ledger is not None
        return write_child(
            client=self.client,
            ledger=self.ledger,
            reader=self.children_reader,
            user_id=self.base.user_id,
            child=child,
            spotify_id=child.spotify_id,
            name=child.name,
            contents=contents,
            change=change,
        )

    def current_uris(self, child: ChildPlaylist) -> list[str]:
        """The child's rows on Spotify now, in order (for the preview)."""
        return self.read_child(child).uris


def _extras(*, track_id: str, analyses: dict[str, dict] | None, plays: dict[str, int] | None) -> dict:
    """TrackFacts.extras: only the metadata the filters asked for (None: not loaded)."""
    extras: dict = {}
    if analyses is not None:
        extras[Metadata.SONG_ANALYSIS] = analyses.get(track_id)
    if plays is not None:
        extras[Metadata.PLAYS] = plays.get(track_id, 0)
    return extras
