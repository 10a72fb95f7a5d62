"""A route reads its base in full, or it writes nothing.

Every run asks Spotify for the base first. If Spotify no longer serves its items (refused in
Development mode, a collaboration turned off, gone) or a page is missing, the run fails with
a reason the listener can act on and no child is touched: routing from an empty or partial
base would empty the rebuild children on Spotify, where no undo exists.

The mirror stands for the base when it provably holds what Spotify holds now: the same
snapshot_id (Liked Songs: the stand-in from its first page), read in full by an import
(AVAILABLE, one row per item of Spotify's total). Otherwise the base is read again, every
page, counted against Spotify's total, and stored as an import would store it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from library.models import ItemsStatus, Playlist, PlaylistKind
from library.services import store_playlist, upsert_catalog
from routing.models import BasePlaylist
from spotify import api
from spotify.errors import SpotifyRefused
from spotify.parsing import (
    ItemCollector,
    embedded_page,
    embedded_rows,
    embedded_total,
    liked_songs_record,
    liked_songs_snapshot,
    playlist_record,
)
from spotify.reader import ItemsRefused, PlaylistGone, SpotifyReader
from spotify.runs import RunStepFailed, spotify_step

__all__ = [
    "RETRY_HINT",
    "VerifiedBase",
    "read_base",
    "verify_unchanged",
]

RETRY_HINT = "Children already updated stay so; a retry goes on from there."
UNTOUCHED = "No child playlist was changed."


@dataclass(frozen=True)
class VerifiedBase:
    """The mirror's copy of the base as this run checked it against Spotify."""

    playlist_id: int
    snapshot_id: str
    rows: int


def read_base(*, base: BasePlaylist, reader: SpotifyReader) -> VerifiedBase:
    """Make the mirror of `base` current and complete, or raise RunStepFailed (nothing written).

    Returns what was verified: the plan must be built from exactly that (verify_unchanged).
    """
    playlist = base.playlist
    if playlist is None:
        raise RunStepFailed(gone_message(base))
    if playlist.kind == PlaylistKind.LIKED_SONGS:
        _read_liked_songs(base=base, playlist=playlist, reader=reader)
    else:
        _read_playlist(base=base, playlist=playlist, reader=reader)
    row = Playlist.objects.filter(pk=playlist.pk).values("snapshot_id", "track_count").first()
    if row is None:
        raise RunStepFailed(_changed_message(base))
    return VerifiedBase(playlist_id=playlist.pk, snapshot_id=row["snapshot_id"], rows=row["track_count"])


def verify_unchanged(*, base: BasePlaylist, verified: VerifiedBase, rows_read: int) -> None:
    """The mirror still holds the version of the base this run checked, and the plan read all of
    it (an import storing it unreadable or removing it meanwhile must not pass as an empty base)."""
    still = Playlist.objects.filter(
        pk=verified.playlist_id,
        snapshot_id=verified.snapshot_id,
        track_count=verified.rows,
        items_status=ItemsStatus.AVAILABLE,
    ).exists()
    if not still or rows_read != verified.rows:
        raise RunStepFailed(_changed_message(base))


def _changed_message(base: BasePlaylist) -> str:
    return (
        f"“{base.name}” changed in Linernotes' copy while this route read it (an import ran at the "
        f"same time). {UNTOUCHED} Route again."
    )


def gone_message(base: BasePlaylist) -> str:
    return (
        f"“{base.name}” is no longer in your Spotify library, so it cannot feed other playlists. "
        f"{UNTOUCHED} Its children and filters are kept: the base comes back if the playlist does."
    )


def _refused_message(name: str) -> str:
    return (
        f"Spotify no longer lets this app read the tracks of the base playlist “{name}” (it may be "
        f"someone else's playlist whose collaboration was turned off, or this server's Spotify app "
        f"lost Extended access). {UNTOUCHED}"
    )


def _read_playlist(*, base: BasePlaylist, playlist: Playlist, reader: SpotifyReader) -> None:
    what = f"Could not read the base playlist “{playlist.name}”"
    with spotify_step(what, hint=UNTOUCHED):
        try:
            obj = api.playlist(client=reader.client, playlist_id=playlist.spotify_id)
        except SpotifyRefused as exc:
            if exc.status == 404:
                raise RunStepFailed(
                    f"The base playlist “{playlist.name}” no longer exists on Spotify (404). {UNTOUCHED}"
                ) from exc
            if exc.status == 403:
                raise RunStepFailed(_refused_message(playlist.name)) from exc
            raise
        page = embedded_page(obj)
        if not page:
            # Development mode answers other people's playlists with their details alone.
            raise RunStepFailed(_refused_message(playlist.name))
        total = embedded_total(obj)
        if _mirror_holds(playlist, snapshot_id=obj.get("snapshot_id") or "", total=total):
            return
        collector = ItemCollector()
        collector.add_page(page)
        rows = len(embedded_rows(obj))
        try:
            if total is None or total > rows:
                for more in reader.playlist_item_pages(playlist.spotify_id, offset=rows):
                    collector.add_page(more)
        except ItemsRefused as exc:
            raise RunStepFailed(_refused_message(playlist.name)) from exc
        except PlaylistGone as exc:
            raise RunStepFailed(
                f"The base playlist “{playlist.name}” was deleted on Spotify while it was read. {UNTOUCHED}"
            ) from exc
    _ensure_whole(collector, name=playlist.name)
    record = playlist_record(obj, list_position=playlist.list_position)
    _store(base=base, record=record, collector=collector)


def _read_liked_songs(*, base: BasePlaylist, playlist: Playlist, reader: SpotifyReader) -> None:
    with spotify_step("Could not read your Liked Songs", hint=UNTOUCHED):
        first = reader.liked_songs_first_page()
        total = first.get("total") if isinstance(first.get("total"), int) else None
        if _mirror_holds(playlist, snapshot_id=liked_songs_snapshot(first), total=total):
            return
        collector = ItemCollector()
        collector.add_page(first)
        for page in reader.pages_after(first):
            collector.add_page(page)
    _ensure_whole(collector, name=playlist.name)
    record = liked_songs_record(
        first_page=first, owner_spotify_id=playlist.owner_spotify_id, owner_name=playlist.owner_name
    )
    _store(base=base, record=record, collector=collector)


def _mirror_holds(playlist: Playlist, *, snapshot_id: str, total: int | None) -> bool:
    """The mirror's rows are Spotify's rows now: same version, and every one of them stored."""
    return (
        bool(snapshot_id)
        and snapshot_id == playlist.snapshot_id
        and playlist.items_status == ItemsStatus.AVAILABLE
        and total is not None
        and playlist.track_count == total
    )


def _ensure_whole(collector: ItemCollector, *, name: str) -> None:
    if collector.total is None or len(collector.items) != collector.total:
        raise RunStepFailed(
            f"Spotify served {len(collector.items)} of the {collector.total or 'unknown number of'} "
            f"items of the base playlist “{name}” (a page was missing or it changed while it was "
            f"read). {UNTOUCHED} Route again in a moment."
        )


def _store(*, base: BasePlaylist, record, collector: ItemCollector) -> None:
    with transaction.atomic():
        upsert_catalog(
            artists=collector.artists.values(),
            albums=collector.albums.values(),
            tracks=collector.tracks.values(),
        )
        store_playlist(user=base.user, playlist=record, items=collector.items)

