"""Benchmark: a large listener's exports, streamed as CSV and JSON.

    .venv/bin/python bench/exports.py [--tracks 20000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/exports.py

On a throwaway database (bench/import_library.py's: a temporary SQLite file, or a PostgreSQL
database of its own), one listener with `--tracks` distinct tracks (20,000; a quarter as many
artists, each with two Spotify genres, and a tenth as many albums), 80 % of them analysed, in 20
playlists of equal size (the library export: one row per item), one of them a "big" playlist of
every track, and one play per track (the history). Set-up is not counted.

Each export is streamed in-process as the views stream it (exports.streams), read back as it
comes (the CSV by the csv module, a line at a time; the JSON parsed whole at the end, from the
bytes only), and measured twice: once for time (rows/s, MB/s, queries, queries per 1,000 rows),
once under tracemalloc for the peak of Python memory while streaming, set against the file's size.
The peak is a chunk's worth of rows (CHUNK_SIZE model rows with their tracks, albums, credits and
analyses), the same for 2,000 tracks as for 20,000: the file is never held whole. `--quick` (CI):
2,000 tracks. Fails when an export's row count differs from what was seeded, or a peak passes
PEAK_LIMIT.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_library import prepare_database, setup_django  # noqa: E402

MB = 1024**2
PLAYLISTS = 20
PEAK_LIMIT = 48 * MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    tracks = 2_000 if args.quick else args.tracks
    database_url, drop_database = prepare_database(
        os.environ.get("DATABASE_URL"), name="linernotes_bench_exports"
    )
    try:
        setup_django(database_url)
        return _run(tracks=tracks)
    finally:
        drop_database()


def _seed(*, tracks: int):
    from datetime import UTC, datetime, timedelta

    from accounts.models import User
    from analysis.models import SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION
    from insights.models import Play
    from library.models import Album, Artist, Playlist, PlaylistItem, PlaylistKind, Track, TrackArtist

    rng = random.Random(1)
    listener = User.objects.create_user(username="bench-listener")
    genres = ["indie rock", "dream pop", "synthwave", "folk", "jazz", "techno", "soul", "k-pop"]
    artists = Artist.objects.bulk_create(
        Artist(spotify_id=f"artist{n:018d}", name=f'Artist, {n} "quoted"', genres=rng.sample(genres, 2))
        for n in range(max(1, tracks // 4))
    )
    albums = Album.objects.bulk_create(
        Album(spotify_id=f"album{n:019d}", name=f"Album {n}", release_date=f"{1970 + n % 55}-06-01",
              release_date_precision="day", release_year=1970 + n % 55, label="Label")
        for n in range(max(1, tracks // 10))
    )  # fmt: skip
    catalog = Track.objects.bulk_create(
        Track(spotify_id=f"track{n:019d}", name=f"=Track {n}, née {n}", duration_ms=180_000 + n,
              isrc=f"QZ{n:010d}", album=albums[n % len(albums)], explicit=n % 7 == 0)
        for n in range(tracks)
    )  # fmt: skip
    TrackArtist.objects.bulk_create(
        TrackArtist(track=track, artist=artists[n % len(artists)], position=0)
        for n, track in enumerate(catalog)
    )
    SongAnalysis.objects.bulk_create(
        SongAnalysis(track=track, prompt_version=PROMPT_VERSION, mood="calm", energy=0.4, themes=["night", "sea"],
                     genres=["folk"], content_rating="clean", summary="A quiet song.", confidence=0.8,
                     provider="primary", model="bench", lyrics_status="found")
        for n, track in enumerate(catalog) if n % 5
    )  # fmt: skip
    playlists = Playlist.objects.bulk_create(
        Playlist(user=listener, spotify_id=f"playlist{n:016d}", name=f"Playlist {n}", list_position=n,
                 kind=PlaylistKind.LIKED_SONGS if n == 0 else PlaylistKind.PLAYLIST)
        for n in range(PLAYLISTS)
    )  # fmt: skip
    share = -(-tracks // PLAYLISTS)
    PlaylistItem.objects.bulk_create(
        PlaylistItem(playlist=playlists[n // share], position=n % share, kind="track", track=track)
        for n, track in enumerate(catalog)
    )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    Play.objects.bulk_create(
        Play(user=listener, track=track, played_at=start + timedelta(minutes=3 * n))
        for n, track in enumerate(catalog)
    )
    return listener, playlists[0]


def _csv_rows(chunks: Iterator[str], size: list[int]) -> int:
    def lines() -> Iterator[str]:
        for chunk in chunks:
            size[0] += len(chunk.encode())
            yield from chunk.lstrip("\ufeff").splitlines(keepends=True)

    return sum(1 for _ in csv.reader(lines())) - 1  # the header


def _json_rows(chunks: Iterator[str], size: list[int]) -> int:
    data = bytearray()
    for chunk in chunks:
        data += chunk.encode()
    size[0] += len(data)
    return len(json.loads(data))


def _measure(name: str, build: Callable, file_format: str, expected: int) -> list[str]:
    from django.db import connection

    from exports import streams

    def stream() -> tuple[int, int]:
        chunks = (streams.csv_chunks if file_format == "csv" else streams.json_chunks)(build())
        size = [0]
        rows = (_csv_rows if file_format == "csv" else _json_rows)(chunks, size)
        return rows, size[0]

    queries: list[int] = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        rows, size = stream()
        elapsed = time.perf_counter() - started
    # Peak Python memory while streaming, chunks dropped as a response drops them once sent (the
    # JSON check above holds the bytes to parse them: that is the reader's memory, not the export's).
    tracemalloc.start()
    chunks = (streams.csv_chunks if file_format == "csv" else streams.json_chunks)(build())
    for _ in chunks:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name + '.' + file_format:<22} {rows:>8,} rows {size / MB:>7.1f} MB {elapsed:>6.2f} s "
          f"{rows / elapsed:>9,.0f} rows/s {size / MB / elapsed:>6.1f} MB/s {len(queries):>5} queries "
          f"({1000 * len(queries) / max(1, rows):.1f} per 1,000 rows) peak {peak / MB:>5.1f} MB "
          f"({100 * peak / max(1, size):.0f} % of the file)")  # fmt: skip
    failures = []
    if rows != expected:
        failures.append(f"{name}.{file_format}: {rows} rows, expected {expected}")
    if peak >= PEAK_LIMIT:
        failures.append(f"{name}.{file_format}: peak {peak / MB:.1f} MB, past {PEAK_LIMIT / MB:.0f} MB")
    return failures


def _run(*, tracks: int) -> int:
    from exports import documents, selectors
    from library.models import PlaylistItem

    started = time.perf_counter()
    listener, liked = _seed(tracks=tracks)
    analysed = sum(1 for n in range(tracks) if n % 5)
    per_playlist = PlaylistItem.objects.filter(playlist=liked).count()
    print(f"seeded {tracks:,} tracks in {PLAYLISTS} playlists, {analysed:,} analysed, {tracks:,} plays "
          f"({time.perf_counter() - started:.1f} s); chunks of {selectors.CHUNK_SIZE}")  # fmt: skip
    exports = [
        ("library", lambda: documents.library_export(user=listener), tracks),
        ("history", lambda: documents.history_export(user=listener), tracks),
        ("song-analyses", lambda: documents.analyses_export(user=listener), analysed),
        ("playlist", lambda: documents.playlist_export(playlist=liked), per_playlist),
    ]
    failures = []
    for name, build, expected in exports:
        for file_format in documents.FORMATS:
            failures += _measure(name, build, file_format, expected)
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
