"""Synthetic Spotify privacy exports, for the tests and bench/history_export.py.

Deterministic for a seed, and written row by row straight into the zip, so a 250,000-play export
never sits in memory. The rows are regenerated (not kept) when a test wants to compare:
`extended_rows(spec)` yields exactly what `write_extended_export(spec, path)` wrote.

Extended history: Spotify's split into files of ~16,000 rows named by the years they cover
("Spotify Extended Streaming History/Streaming_History_Audio_2019-2020_0.json"), with podcast
episodes, local files and short plays among the tracks, and a video history file to ignore.
Account Data: "Spotify Account Data/StreamingHistory_music_N.json", minute times,
names only (as many files as `rows_per_file` makes), with Userdata.json and a podcast file beside them.
"""

from __future__ import annotations

import json
import pathlib
import random
import string
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

BASE62 = string.digits + string.ascii_letters
EXTENDED_DIR = "Spotify Extended Streaming History"
ACCOUNT_DIR = "Spotify Account Data"


@dataclass(frozen=True)
class ExportTrack:
    id: str
    name: str
    artist: str
    album: str


def synthetic_tracks(*, count: int, seed: int = 0) -> list[ExportTrack]:
    """Tracks with well-formed Spotify ids and names (some non-ASCII, as real catalogues have)."""
    rng = random.Random(seed)
    artists = [f"Artist {n} {rng.choice(['', 'Ø', 'é', '&'])}".strip() for n in range(max(1, count // 8))]
    return [
        ExportTrack(
            id="".join(rng.choice(BASE62) for _ in range(22)),
            name=f"Track {n} {rng.choice(['', '(Live)', '– Remastered', 'ñ'])}".strip(),
            artist=rng.choice(artists),
            album=f"Album {n // 10}",
        )
        for n in range(count)
    ]


@dataclass(frozen=True)
class ExportSpec:
    """N rows evenly over [start, end), drawn from `tracks` with a seed."""

    rows: int
    tracks: Sequence[ExportTrack]
    start: datetime = datetime(2019, 1, 1, tzinfo=UTC)
    end: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    seed: int = 0
    username: str | None = "listener"  # None: the newer exports' rows without it
    episode_share: float = 0.03
    local_share: float = 0.005
    short_share: float = 0.15  # under 30 s
    rows_per_file: int = 16_000


def _ended_at(spec: ExportSpec, index: int, rng: random.Random) -> datetime:
    """Ascending to the second; the jitter stays inside a row's share of the span."""
    step = (spec.end - spec.start).total_seconds() / max(1, spec.rows)
    offset = index * step + rng.random() * step * 0.5
    return spec.start + timedelta(seconds=int(offset))


def _ms_played(spec: ExportSpec, rng: random.Random) -> int:
    if rng.random() < spec.short_share:
        return rng.randrange(0, 30_000)
    return rng.randrange(30_000, 420_000)


def extended_rows(spec: ExportSpec) -> Iterator[dict]:
    """The Extended history's rows, oldest first."""
    rng = random.Random(spec.seed)
    for index in range(spec.rows):
        ended_at = _ended_at(spec, index, rng)
        ms_played = _ms_played(spec, rng)
        kind = rng.random()
        row = {
            "ts": ended_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **({"username": spec.username} if spec.username is not None else {}),
            "platform": rng.choice(["Android OS 13 API 33 (Google, Pixel 7)", "OS X 13.4.1 [x86 8]", "web_player"]),
            "ms_played": ms_played,
            "conn_country": "DE",
            "ip_addr": "192.0.2.1",
            "master_metadata_track_name": None,
            "master_metadata_album_artist_name": None,
            "master_metadata_album_album_name": None,
            "spotify_track_uri": None,
            "episode_name": None,
            "episode_show_name": None,
            "spotify_episode_uri": None,
            "reason_start": rng.choice(["trackdone", "clickrow", "fwdbtn", "playbtn"]),
            "reason_end": "trackdone" if ms_played >= 30_000 else "fwdbtn",
            "shuffle": rng.random() < 0.4,
            "skipped": ms_played < 30_000 and rng.random() < 0.5,
            "offline": rng.random() < 0.1,
            "offline_timestamp": int(ended_at.timestamp()),
            "incognito_mode": False,
        }
        if kind < spec.episode_share:
            row.update(episode_name=f"Episode {index}", episode_show_name="A Show",
                       spotify_episode_uri="spotify:episode:" + "".join(rng.choice(BASE62) for _ in range(22)))
        elif kind >= spec.episode_share + spec.local_share:
            track = rng.choice(spec.tracks)
            row.update(master_metadata_track_name=track.name, master_metadata_album_artist_name=track.artist,
                       master_metadata_album_album_name=track.album, spotify_track_uri=f"spotify:track:{track.id}")
        yield row


def account_rows(spec: ExportSpec) -> Iterator[dict]:
    """Account Data's music rows, oldest first (its episodes live in the podcast file)."""
    rng = random.Random(spec.seed)
    for index in range(spec.rows):
        ended_at = _ended_at(spec, index, rng)
        track = rng.choice(spec.tracks)
        yield {
            "endTime": ended_at.strftime("%Y-%m-%d %H:%M"),
            "artistName": track.artist,
            "trackName": track.name,
            "msPlayed": _ms_played(spec, rng),
        }


def _write_member(archive: zipfile.ZipFile, name: str, rows: Iterator[dict], count: int) -> None:
    """A JSON array written row by row, laid out as Spotify does (one object per line)."""
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(b"[\n")
        for written in range(count):
            row = next(rows)
            member.write((b",\n" if written else b"") + json.dumps(row, ensure_ascii=False).encode())
        member.write(b"\n]")


def _chunks(spec: ExportSpec) -> list[tuple[int, int]]:
    return [(first, min(spec.rows, first + spec.rows_per_file)) for first in range(0, spec.rows, spec.rows_per_file)]


def write_extended_export(spec: ExportSpec, path: pathlib.Path) -> list[str]:
    """The Extended Streaming History zip at `path`; the names of its audio history files."""
    rows = extended_rows(spec)
    step = (spec.end - spec.start) / max(1, spec.rows)
    names = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(f"{EXTENDED_DIR}/ReadMeFirst_ExtendedStreamingHistory.pdf", b"%PDF-1.4 not a history")
        for number, (first, last) in enumerate(_chunks(spec)):
            years = sorted({(spec.start + step * first).year, (spec.start + step * max(first, last - 1)).year})
            name = f"{EXTENDED_DIR}/Streaming_History_Audio_{'-'.join(map(str, years))}_{number}.json"
            _write_member(archive, name, rows, last - first)
            names.append(name)
        archive.writestr(f"{EXTENDED_DIR}/Streaming_History_Video_2019-2024.json", b"[]")
    return names


def write_account_export(spec: ExportSpec, path: pathlib.Path) -> list[str]:
    """The Account Data zip at `path` (Userdata.json names `spec.username`); its music file names."""
    rows = account_rows(spec)
    names = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(f"{ACCOUNT_DIR}/Userdata.json", json.dumps({"username": spec.username, "country": "DE"}))
        archive.writestr(f"{ACCOUNT_DIR}/StreamingHistory_podcast_0.json",
                         json.dumps([{"endTime": "2020-01-01 10:00", "podcastName": "A Show",
                                      "episodeName": "One", "msPlayed": 1_000_000}]))
        for number, (first, last) in enumerate(_chunks(spec)):
            name = f"{ACCOUNT_DIR}/StreamingHistory_music_{number}.json"
            _write_member(archive, name, rows, last - first)
            names.append(name)
    return names


# Hand-made exports, row by row, for the tests

TRACK_A = "4uLU6hMCjMI75M1A2tKUQC"
TRACK_B = "7ouMYWpwJ422jRcDASZB7P"
AUDIO = "Spotify Extended Streaming History/Streaming_History_Audio_2021_0.json"
AUDIO_2 = "Spotify Extended Streaming History/Streaming_History_Audio_2021-2022_1.json"


def extended_row(**fields) -> dict:
    row = {
        "ts": "2021-03-04T18:22:11Z",
        "username": "listener",
        "ms_played": 200_000,
        "spotify_track_uri": f"spotify:track:{TRACK_A}",
        "master_metadata_track_name": "Song A",
        "master_metadata_album_artist_name": "Artist A",
        "master_metadata_album_album_name": "Album A",
        "episode_name": None,
        "spotify_episode_uri": None,
        "reason_start": "clickrow",
        "reason_end": "trackdone",
        "shuffle": True,
        "skipped": False,
        "offline": False,
    }
    return {**row, **fields}


def write_zip(path: pathlib.Path, members: dict[str, object]) -> pathlib.Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content if isinstance(content, bytes) else json.dumps(content))
    return path
