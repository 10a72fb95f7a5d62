"""One row of Spotify's export, checked and normalised into an ExportPlay.

Two formats, told apart by their keys:

- Extended Streaming History (`Streaming_History_Audio_*.json`): `ts` is the END of the play in
  UTC to the second ("2021-03-04T18:22:11Z"), `spotify_track_uri` names the track, and rows of
  podcast episodes, audiobooks and local files carry no track URI. Older exports have `username`;
  newer ones dropped it.
- Account Data (`StreamingHistory_music_*.json`): `endTime` is the end of the play in UTC to the
  minute ("2024-01-01 12:34"), with names only (`trackName`, `artistName`).

A play shorter than 30 s counts as a skip, whatever Spotify's own `skipped` flag says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from insights.services.spotify_export.errors import ExportError, ExportProblem

SKIP_BELOW_MS = 30_000
TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
NAME_LIMIT = 500  # longer names are cut: they are shown and matched, never used as keys


class Precision(StrEnum):
    MILLISECOND = "ms"
    SECOND = "s"
    MINUTE = "minute"  # Account Data: matching a polled play needs a window, not equality


class RowFormat(StrEnum):
    EXTENDED = "extended"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a row sits: the file's index in the export's stable order, and the row's index in it.

    Ordered by (file_index, row). `member` is the file's name, kept so that a resume against a
    different upload is refused instead of skipping the wrong rows.
    """

    file_index: int
    row: int
    member: str = field(compare=False)

    def as_json(self) -> dict[str, Any]:
        return {"file_index": self.file_index, "row": self.row, "member": self.member}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Position:
        return cls(file_index=int(data["file_index"]), row=int(data["row"]), member=str(data["member"]))


@dataclass(frozen=True, slots=True)
class ExportPlay:
    """A play of a track from the export, in UTC, with where it was read (to resume after it)."""

    position: Position
    ended_at: datetime
    ms_played: int
    track_id: str | None  # None for Account Data: the next layer matches it by name
    track_name: str
    artist_name: str
    album_name: str  # "" for Account Data
    skipped: bool  # Spotify's flag, or shorter than 30 s
    reason_start: str  # "" for Account Data
    reason_end: str  # "" for Account Data
    shuffle: bool | None
    offline: bool | None
    precision: Precision
    username: str | None  # as the row says; newer exports and Account Data have none

    @property
    def started_at(self) -> datetime:
        """When it began, as nearly as the export tells: the end less the time played.

        Spotify's recently-played list times a play differently, so the next layer matches
        polled plays in a window around this rather than by equality.
        """
        return self.ended_at - timedelta(milliseconds=self.ms_played)


@dataclass
class ReadTally:
    """What a read has seen so far, up to and including the last play it yielded.

    A generator pauses at its yield, so when the caller holds a play, the tally counts exactly
    the rows up to that play's position: the two can be saved together as a checkpoint.
    """

    rows: int = 0
    plays: int = 0
    skips: int = 0  # plays counted as skips
    episodes: int = 0  # podcast episodes and audiobooks: not imported
    without_track: int = 0  # local files and other rows without a track: not imported
    last_position: Position | None = None
    first_ended_at: datetime | None = None
    last_ended_at: datetime | None = None

    def count_play(self, play: ExportPlay) -> None:
        self.plays += 1
        self.skips += play.skipped
        if self.first_ended_at is None or play.ended_at < self.first_ended_at:
            self.first_ended_at = play.ended_at
        if self.last_ended_at is None or play.ended_at > self.last_ended_at:
            self.last_ended_at = play.ended_at


def row_format(row: Any) -> RowFormat | None:
    """The format a row is in, from its keys; None when it is neither."""
    if isinstance(row, dict):
        if "ts" in row:
            return RowFormat.EXTENDED
        if "endTime" in row:
            return RowFormat.ACCOUNT
    return None


def _bad(position: Position, what: str) -> ExportError:
    return ExportError(
        ExportProblem.BAD_ROW,
        f"Row {position.row + 1} of {position.member} {what}, so this is not a history file from Spotify's export.",
    )


def _text(value: Any) -> str:
    return value[:NAME_LIMIT] if isinstance(value, str) else ""


def _ms_played(row: dict, key: str, position: Position) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise _bad(position, f"has no valid “{key}”")
    return int(value)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_extended(row: Any, position: Position, *, expected_username: str | None) -> ExportPlay | str:
    """An ExportPlay, or "episode" / "without_track" for a row that is not a track's play."""
    if not isinstance(row, dict):
        raise _bad(position, "is not a play")
    ts = row.get("ts")
    if not isinstance(ts, str):
        raise _bad(position, "has no “ts” (the time the play ended)")
    try:
        ended_at = datetime.fromisoformat(ts)
    except ValueError:
        raise _bad(position, "has a “ts” that is not a time") from None
    if ended_at.tzinfo is None:  # Spotify writes "Z"; a bare time is UTC all the same
        ended_at = ended_at.replace(tzinfo=UTC)
    else:
        ended_at = ended_at.astimezone(UTC)
    ms_played = _ms_played(row, "ms_played", position)
    username = row.get("username")
    if not isinstance(username, str) or not username:
        username = None
    if expected_username is not None and username is not None and username != expected_username:
        raise ExportError(ExportProblem.OTHER_ACCOUNT, "This export belongs to another Spotify account.")
    uri = row.get("spotify_track_uri")
    if not isinstance(uri, str) or not uri:
        if row.get("spotify_episode_uri") or row.get("episode_name") or row.get("audiobook_uri"):
            return "episode"
        return "without_track"
    match = TRACK_URI.fullmatch(uri)
    if match is None:
        if uri.startswith("spotify:track:"):
            raise _bad(position, "has a track URI that is not Spotify's")
        return "without_track"  # spotify:local:… and whatever else is not a catalogue track
    spotify_skipped = row.get("skipped") is True
    return ExportPlay(
        position=position,
        ended_at=ended_at,
        ms_played=ms_played,
        track_id=match.group(1),
        track_name=_text(row.get("master_metadata_track_name")),
        artist_name=_text(row.get("master_metadata_album_artist_name")),
        album_name=_text(row.get("master_metadata_album_album_name")),
        skipped=spotify_skipped or ms_played < SKIP_BELOW_MS,
        reason_start=_text(row.get("reason_start"))[:40],
        reason_end=_text(row.get("reason_end"))[:40],
        shuffle=_flag(row.get("shuffle")),
        offline=_flag(row.get("offline")),
        precision=Precision.MILLISECOND if "." in ts else Precision.SECOND,
        username=username,
    )


def parse_account(row: Any, position: Position) -> ExportPlay | str:
    """An ExportPlay with names and no track id, or "episode" for a podcast row."""
    if not isinstance(row, dict):
        raise _bad(position, "is not a play")
    end_time = row.get("endTime")
    if not isinstance(end_time, str):
        raise _bad(position, "has no “endTime” (the time the play ended)")
    try:
        ended_at = datetime.strptime(end_time, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    except ValueError:
        raise _bad(position, "has an “endTime” that is not a time") from None
    ms_played = _ms_played(row, "msPlayed", position)
    track_name, artist_name = row.get("trackName"), row.get("artistName")
    if not isinstance(track_name, str) or not isinstance(artist_name, str):
        if "podcastName" in row or "episodeName" in row:
            return "episode"
        raise _bad(position, "has no “trackName” and “artistName”")
    return ExportPlay(
        position=position,
        ended_at=ended_at,
        ms_played=ms_played,
        track_id=None,
        track_name=track_name[:NAME_LIMIT],
        artist_name=artist_name[:NAME_LIMIT],
        album_name="",
        skipped=ms_played < SKIP_BELOW_MS,
        reason_start="",
        reason_end="",
        shuffle=None,
        offline=None,
        precision=Precision.MINUTE,
        username=None,
    )
