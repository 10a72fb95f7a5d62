"""Route a base playlist into its children on Spotify: `run_route`, what the queue calls.

The shape of a run, and why:
- Claim the event with one conditional UPDATE (sync.services.route_state).
- Make the mirror of the base current: if Spotify's snapshot_id differs, read that one
  playlist's items (all pages) and store them in one transaction, as the import would.
- Build TrackFacts from the mirror, enriching only what the children's filters need
  (sync.metadata), and decide every child's target with route_tracks, before any write.
- Per child: read its current items (one GET, a 5-minute cache by snapshot_id, then the
  pages beyond the first), then make the fewest writes that leave it holding its target
  in the base's order (sync.services.child_writes: one atomic PUT for up to 100 tracks;
  else inserts in place before removals, so a failure part-way never empties it). The
  next run reads the child again and finishes the job.
- Spotify calls happen outside transactions; the only transactions store the base and
  write back artist metadata, each with everything it needs already in hand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from spotipy import SpotifyException

from accounts.spotify.client import SpotifyClient, get_spotify_client
from insights import selectors as insights_selectors
from library.models import ItemKind, PlaylistItem, PlaylistKind, TrackArtist
from library.services import store_playlist, upsert_catalog
from sync.filters import (
    ArtistFacts,
    FilterDocument,
    FilterValidationError,
    Metadata,
    TrackFacts,
    route_tracks,
    validate_filters,
)
from sync.metadata import ArtistMeta, CacheCounters, MetadataFetcher, PlaylistItemsCache
from sync.models import BasePlaylist, ChildPlaylist, SyncEvent
from sync.parsing import ItemCollector, playlist_record
from sync.services.child_writes import ChildChange, Write, plan_change
from sync.services.run_state import RunStepFailed, run_to_end, spotify_step
from sync.services.route_state import RouteLedger, claim_route
from sync.spotify_reader import ItemsRefused, PlaylistGone, SpotifyReader

logger = logging.getLogger(__name__)

UNEXPECTED_MESSAGE = "The route stopped on an unexpected error (details are in the server log). Retry it."
RETRY_HINT = "Children finished before it are up to date; retry to continue."


def run_route(*, event_id: int) -> SyncEvent | None:
    """Run one queued route event to its end (completed, failed, or queued again for later).

    Returns the event as it stands afterwards, or None if it does not exist.
    """
    event = claim_route(event_id=event_id)
    if event is None:
        return SyncEvent.objects.filter(pk=event_id).first()
    ledger = RouteLedger(event=event)

    def body() -> None:
        if event.base is None:
            raise RunStepFailed("This route has no base playlist (it was deleted).")
        with get_spotify_client(user=event.user) as client:
            ledger.stats = client.stats
            run = BaseRoute(base=event.base, client=client, ledger=ledger)
            ledger.cache_counters = lambda: {
                "cache": run.fetcher.counters.as_dict(),
                "playlist_items_cache": run.items_cache.counters.as_dict(),
            }
            run.run()
        ledger.complete()

    run_to_end(ledger=ledger, body=body, unexpected=UNEXPECTED_MESSAGE)
    return SyncEvent.objects.get(pk=event_id)


@dataclass
class RoutePlan:
    """What a run decided before any write: each child's target track ids, in base order."""

    children: list[ChildPlaylist]
    facts: list[TrackFacts]
    targets: dict[int | None, list[str]]


class BaseRoute:
    """One run over one base and its children; see the module docstring for the order.

    `ledger` is None for a dry run (sync.services.preview), which plans and reads but never writes.
    """

    def __init__(self, *, base: BasePlaylist, client: SpotifyClient, ledger: RouteLedger | None) -> None:
        self.base = base
        self.mode = settings.SPOTIFY_APP_MODE
        self.client = client
        self.api = client.api
        self.reader = SpotifyReader(client=client, mode=self.mode)
        self.fetcher = MetadataFetcher(client=client, mode=self.mode)
        self.items_cache = PlaylistItemsCache(counters=CacheCounters())
        self.ledger = ledger

    def run(self) -> None:
        assert self.ledger is not None, "a dry run has no ledger and must not write"
        plan = self.plan(refresh=True)
        self.ledger.planned(children=len(plan.children), tracks=len(plan.facts))
        for child in plan.children:
            writes = self._apply(child=child, target=plan.targets[child.pk])
            self.ledger.child_done(spotify_id=child.spotify_id, writes=writes)

    def plan(self, *, refresh: bool, drafts: dict[int | None, FilterDocument] | None = None) -> RoutePlan:
        """Every child's target. `drafts` replace a child's filters (key None: a new last child)."""
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
        facts = self._facts(needed=needed)
        targets = route_tracks(facts=facts, children=documents, first_match_only=self.base.first_match_only)
        return RoutePlan(children=children, facts=facts, targets=targets)

    def _document(self, child: ChildPlaylist) -> FilterDocument:
        try:
            return validate_filters(child.filters, mode=self.mode)
        except FilterValidationError as exc:
            problems = "; ".join(f"{path}: {message}" for path, message in exc.messages())
            raise RunStepFailed(
                f'The filters of the child playlist "{child.name}" are not valid in this app mode '
                f"({problems}). Edit them, then route again."
            ) from exc

    # --- the base ------------------------------------------------------------------------------
    def _refresh_base(self) -> None:
        """Import the base again if it changed on Spotify since the mirror's copy."""
        playlist = self.base.playlist
        if playlist.kind == PlaylistKind.LIKED_SONGS:
            return  # no snapshot to compare; the import keeps Liked Songs current
        what = f'Could not read the base playlist "{playlist.name}"'
        with spotify_step(what, hint=RETRY_HINT):
            obj = self.api._get(f"playlists/{playlist.spotify_id}", additional_types="track,episode")
            if obj.get("snapshot_id") == playlist.snapshot_id:
                return
            collector = ItemCollector()
            first = _embedded_page(obj)
            if first:
                collector.add_page(first)  # the rows GET /playlists/{id} already sent
            try:
                total = _embedded_total(obj)
                more = (
                    self.reader.playlist_item_pages(playlist.spotify_id, offset=len(_embedded_rows(obj)))
                    if total is None or total > len(_embedded_rows(obj))
                    else ()
                )
                for page in more:
                    collector.add_page(page)
            except (ItemsRefused, PlaylistGone) as exc:
                raise RunStepFailed(
                    f"{what}: Spotify no longer serves its items. Import, then retry."
                ) from exc
        record = playlist_record(obj, list_position=playlist.list_position)
        with transaction.atomic():
            upsert_catalog(
                artists=collector.artists.values(),
                albums=collector.albums.values(),
                tracks=collector.tracks.values(),
            )
            store_playlist(user=self.base.user, playlist=record, items=collector.items)

    def _facts(self, *, needed: set[str]) -> list[TrackFacts]:
        items = list(
            PlaylistItem.objects.filter(playlist_id=self.base.playlist_id, kind=ItemKind.TRACK)
            .select_related("track__album")
            .order_by("position")
        )
        track_ids = {item.track_id for item in items}
        credits: dict[str, list[tuple[str, str]]] = {}
        for track_id, artist_id, name in (
            TrackArtist.objects.filter(track_id__in=track_ids)
            .order_by("track_id", "position")
            .values_list("track_id", "artist_id", "artist__name")
        ):
            credits.setdefault(track_id, []).append((artist_id, name))
        meta: dict[str, ArtistMeta] = {}
        if Metadata.ARTIST_GENRES in needed:
            meta = self.fetcher.artists(
                artist_ids=(artist_id for pairs in credits.values() for artist_id, _ in pairs)
            )
        analyses: dict[str, dict] | None = None
        if Metadata.SONG_ANALYSIS in needed:
            analyses = insights_selectors.analysis_facts(track_ids=track_ids)
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
                    extras=(
                        {Metadata.SONG_ANALYSIS: analyses.get(track.spotify_id)}
                        if analyses is not None
                        else {}
                    ),
                )
            )
        return facts

    # --- a child -------------------------------------------------------------------------------
    def _apply(self, *, child: ChildPlaylist, target: Sequence[str]) -> dict[str, int]:
        """The fewest writes that give `child` its target; returns what was written."""
        assert self.ledger is not None
        before = self.client.stats.requests
        writes = {"added": 0, "removed": 0, "write_requests": 0}
        with spotify_step(f'Could not update the child playlist "{child.name}"', hint=RETRY_HINT):
            change = plan_change(current=self.current_uris(child), target=target, mode=child.mode)
            snapshot = None
            path = f"playlists/{child.spotify_id}/items"
            try:
                for write in change.writes:
                    send = {"POST": self.api._post, "PUT": self.api._put, "DELETE": self.api._delete}
                    answer = send[write.method](path, payload=write.payload())
                    snapshot = (answer or {}).get("snapshot_id") or snapshot
                    writes["write_requests"] += 1
                    _count(writes, write, change)
            except Exception:
                writes["requests"] = self.client.stats.requests - before
                self.ledger.record_child_writes(spotify_id=child.spotify_id, writes=writes)
                raise
        if snapshot:
            # The next run (within the TTL) finds the child as we left it without reading it.
            self.items_cache.set(playlist_id=child.spotify_id, snapshot_id=snapshot, uris=change.final)
        writes["requests"] = self.client.stats.requests - before
        return writes

    def current_uris(self, child: ChildPlaylist) -> list[str]:
        """The child's track and episode URIs on Spotify now, in order (local files are left alone).

        One GET of the playlist gives its snapshot_id and first page: a cached list for that
        snapshot, or a child that fits in the first page, costs nothing more.
        """
        try:
            obj = self.api._get(f"playlists/{child.spotify_id}", additional_types="track,episode")
        except SpotifyException as exc:
            if exc.http_status == 404:
                raise _child_gone(child) from exc
            raise
        snapshot = obj.get("snapshot_id") or ""
        cached = (
            self.items_cache.get(playlist_id=child.spotify_id, snapshot_id=snapshot) if snapshot else None
        )
        if cached is not None:
            return cached
        rows = _embedded_rows(obj)
        uris = _uris(rows)
        total = _embedded_total(obj)
        if total is None or total > len(rows):
            uris.extend(self._read_items(child, offset=len(rows)))
        if snapshot:
            self.items_cache.set(playlist_id=child.spotify_id, snapshot_id=snapshot, uris=uris)
        return uris

    def _read_items(self, child: ChildPlaylist, *, offset: int) -> list[str]:
        uris: list[str] = []
        try:
            for page in self.reader.playlist_item_pages(child.spotify_id, offset=offset):
                uris.extend(_uris(page.get("items") or []))
        except ItemsRefused as exc:
            raise RunStepFailed(
                f'Spotify refused to read the child playlist "{child.name}" (403): '
                "a child must be a playlist you own."
            ) from exc
        except PlaylistGone as exc:
            raise _child_gone(child) from exc
        return uris


def _embedded_page(obj: dict) -> dict:
    """The first page of items GET /playlists/{id} embeds ("items", or "tracks" before 2026)."""
    page = obj.get("items") if isinstance(obj.get("items"), dict) else obj.get("tracks")
    return page if isinstance(page, dict) else {}


def _embedded_rows(obj: dict) -> list[dict]:
    rows = _embedded_page(obj).get("items")
    return rows if isinstance(rows, list) else []


def _embedded_total(obj: dict) -> int | None:
    total = _embedded_page(obj).get("total")
    return total if isinstance(total, int) else None


def _uris(rows: list[dict]) -> list[str]:
    """URIs in order; "" for a row we leave alone (local file, unavailable), so positions hold."""
    uris = []
    for row in rows:
        obj = row.get("item", row.get("track")) or {}
        if row.get("is_local") or obj.get("is_local") or not obj.get("uri"):
            uris.append("")
            continue
        uris.append(obj["uri"])
    return uris


def _count(writes: dict[str, int], write: Write, change: ChildChange) -> None:
    """What one write did, so a failure part-way still says what the child got."""
    if write.move is not None:
        writes["moved"] = writes.get("moved", 0) + 1
    elif write.method == "POST":
        writes["added"] += len(write.uris)
    elif write.method == "DELETE":
        writes["removed"] += len(write.uris)
    else:  # one PUT replaced everything
        writes["added"] += len(change.additions)
        writes["removed"] += len(change.removals)


def _child_gone(child: ChildPlaylist) -> RunStepFailed:
    return RunStepFailed(
        f'The child playlist "{child.name}" no longer exists on Spotify (404). Remove it from the base.'
    )
