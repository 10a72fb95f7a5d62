"""The four exports a listener can download: what each holds, its columns and its file's name.

Rows are produced lazily: nothing is read from the database until the response is streamed.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from exports import columns, selectors
from exports.columns import Column, Row
from library.models import Playlist

FORMATS = ("csv", "json")
UNKNOWN_FORMAT = "No export as “{given}”: choose csv or json."


@dataclass(frozen=True)
class Export:
    stem: str  # the file's name before the date and the extension
    columns: tuple[Column, ...]
    rows: Iterator[Row]

    def filename(self, file_format: str) -> str:
        """e.g. linernotes-playlist-road-trip-2026-12-06.csv: the day it was made, the listener's."""
        return f"linernotes-{self.stem}-{timezone.localdate().isoformat()}.{file_format}"


def playlist_export(*, playlist: Playlist) -> Export:
    def rows() -> Iterator[Row]:
        for chunk in selectors.playlist_items(playlist=playlist):
            for item in chunk.rows:
                yield columns.item_row(item, chunk)

    name = slugify(playlist.name)[:60].strip("-") or str(playlist.pk)
    return Export(stem=f"playlist-{name}", columns=columns.PLAYLIST_COLUMNS, rows=rows())


def library_export(*, user: User) -> Export:
    def rows() -> Iterator[Row]:
        for chunk in selectors.library_items(user=user):
            for item in chunk.rows:
                yield columns.item_row(item, chunk, playlist=item.playlist)

    return Export(stem="library", columns=columns.LIBRARY_COLUMNS, rows=rows())


def history_export(*, user: User) -> Export:
    """Plays newest first: those matched to a track and the privacy export's unmatched ones, merged."""

    def matched() -> Iterator[tuple[datetime, Row]]:
        for chunk in selectors.plays(user=user):
            for play in chunk.rows:
                yield play.played_at, columns.play_row(play, chunk)

    def unmatched() -> Iterator[tuple[datetime, Row]]:
        for play in selectors.unmatched_plays(user=user):
            yield play.played_at, columns.unmatched_play_row(play)

    newest_first = heapq.merge(matched(), unmatched(), key=itemgetter(0), reverse=True)
    merged = (row for _, row in newest_first)
    return Export(stem="history", columns=columns.HISTORY_COLUMNS, rows=merged)


def analyses_export(*, user: User) -> Export:
    def rows() -> Iterator[Row]:
        for chunk in selectors.analysed_tracks(user=user):
            for track in chunk.rows:
                analysis = chunk.analyses.get(track.spotify_id)
                if analysis is not None:
                    yield columns.analysis_row(track, analysis, chunk)

    return Export(stem="song-analyses", columns=columns.ANALYSIS_COLUMNS, rows=rows())
