"""Benchmark: reading a generated 250,000-play Spotify Extended Streaming History export.

    .venv/bin/python bench/history_export.py [--plays 250000] [--files-of 16000] [--seed 0] [--quick]

Writes the export zip (tests/insights/export_factory.py: ~3 % podcast episodes, some local
files, ~15 % plays under 30 s, files of 16,000 rows as Spotify splits them) into a temp folder,
then reads it, each pass in a fresh Python process so that its peak resident memory is its own:

- floor: ijson alone over the same zip members, every row parsed and dropped (what any streamed
  reader must pay); the reader's rows/s is given as a ratio against it;
- reader: `insights.services.spotify_export.read_plays`, every play built and dropped, timed, and
  the growth of ru_maxrss over the process after its imports;
- the same under tracemalloc (slower, so not timed): the peak of Python's allocations, and its
  ratio to the export's uncompressed JSON;
- json.load of one history file, the largest, for scale: what reading it whole would hold (also
  shows that the maxrss-growth column does move when memory grows);
- a resume after the last row of the middle file: how long until the first play after it.

`--quick` (CI): 5,000 plays in files of 1,000 rows. Either size fails when the plays read differ
from the plays generated, or when the tracemalloc peak passes 64 MB (memory must not grow with
the export).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insights.services.spotify_export import Position, open_export, read_plays  # noqa: E402
from tests.insights.export_factory import ExportSpec, extended_rows, synthetic_tracks, write_extended_export  # noqa: E402

PEAK_LIMIT = 64 * 1024**2
MB = 1024**2


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def _floor(path: pathlib.Path) -> int:
    import zipfile

    import ijson

    export = open_export(uploads=[path])
    rows = 0
    with zipfile.ZipFile(path) as archive:
        for file in export.files:
            with archive.open(file.name) as member:
                for _ in ijson.items(member, "item", use_float=True):
                    rows += 1
    return rows


def _read(path: pathlib.Path) -> int:
    return sum(1 for _ in read_plays(uploads=[path], expected_username="listener"))


def _naive(path: pathlib.Path) -> int:
    import zipfile

    export = open_export(uploads=[path])
    largest = max(export.files, key=lambda file: file.size)
    with zipfile.ZipFile(path) as archive, archive.open(largest.name) as member:
        return len(json.load(member))


def _resume(path: pathlib.Path) -> int:
    export = open_export(uploads=[path])
    middle = len(export.files) // 2
    file = export.files[middle]
    last_row = sum(1 for _ in _rows_of(path, file.name)) - 1
    started = time.perf_counter()
    position = Position(file_index=middle, row=last_row, member=file.name)
    plays = export.plays(expected_username="listener", start_after=position)
    next(plays, None)
    return int((time.perf_counter() - started) * 1e6)


def _rows_of(path: pathlib.Path, name: str):
    import zipfile

    import ijson

    with zipfile.ZipFile(path) as archive, archive.open(name) as member:
        yield from ijson.items(member, "item")


PASSES = {"floor": _floor, "reader": _read, "naive": _naive, "resume": _resume}


def measure(mode: str, path: pathlib.Path, traced: bool) -> None:
    """One pass, in this (fresh) process; prints its figures as JSON for the parent."""
    baseline = _maxrss_bytes()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    count = PASSES[mode](path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    rss = _maxrss_bytes()
    print(json.dumps({"count": count, "seconds": seconds, "peak": peak, "rss": rss, "rss_delta": rss - baseline}))


def run_pass(mode: str, path: pathlib.Path, *, traced: bool = False) -> dict:
    args = [sys.executable, __file__, "--measure", mode, "--path", str(path)] + (["--traced"] if traced else [])
    result = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plays", type=int, default=250_000, help="rows in the export (tracks, episodes, local files)")
    parser.add_argument("--files-of", type=int, default=16_000, help="rows per history file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="CI-sized: 5,000 rows in files of 1,000")
    parser.add_argument("--measure", choices=sorted(PASSES), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=pathlib.Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.path, args.traced)
        return 0
    rows, per_file = (5_000, 1_000) if args.quick else (args.plays, args.files_of)
    spec = ExportSpec(rows=rows, tracks=synthetic_tracks(count=5_000, seed=args.seed), seed=args.seed,
                      rows_per_file=per_file)
    expected = sum(1 for row in extended_rows(spec) if row["spotify_track_uri"])

    with tempfile.TemporaryDirectory(prefix="linernotes-history-export-") as folder:
        path = pathlib.Path(folder) / "my_spotify_data.zip"
        started = time.perf_counter()
        names = write_extended_export(spec, path)
        generated = time.perf_counter() - started
        uncompressed = open_export(uploads=[path]).uncompressed_bytes
        print(f"\nhistory_export: {rows:,} rows ({expected:,} plays of tracks) in {len(names)} files; "
              f"zip {path.stat().st_size / MB:.1f} MB, JSON {uncompressed / MB:.1f} MB; generated in {generated:.1f} s")
        floor = run_pass("floor", path)
        reader = run_pass("reader", path)
        traced = run_pass("reader", path, traced=True)
        floor_traced = run_pass("floor", path, traced=True)
        naive = run_pass("naive", path, traced=True)
        resume = run_pass("resume", path)

    print(f"{'pass':<28} {'seconds':>8} {'rows/s':>9} {'plays/s':>9} {'tracemalloc peak':>17} {'maxrss growth':>14}")
    print(f"{'ijson alone (floor)':<28} {floor['seconds']:>8.2f} {floor['count'] / floor['seconds']:>9,.0f} {'':>9} "
          f"{floor_traced['peak'] / MB:>14.2f} MB {floor['rss_delta'] / MB:>11.1f} MB")
    print(f"{'reader (read_plays)':<28} {reader['seconds']:>8.2f} {rows / reader['seconds']:>9,.0f} "
          f"{reader['count'] / reader['seconds']:>9,.0f} {traced['peak'] / MB:>14.2f} MB {reader['rss_delta'] / MB:>11.1f} MB")
    print(f"{'json.load of the largest file':<28} {'':>8} {'':>9} {'':>9} {naive['peak'] / MB:>14.2f} MB "
          f"{naive['rss_delta'] / MB:>11.1f} MB")
    print(f"reader rows/s against the floor: {(rows / reader['seconds']) / (floor['count'] / floor['seconds']):.2f}; "
          f"peak / uncompressed JSON: {traced['peak'] / uncompressed:.4f} ({traced['peak'] / uncompressed:.2%}); "
          f"a resume after the middle file's last row: first play after {resume['count'] / 1000:.0f} ms")
    print(f"the reader's process peaked at {reader['rss'] / MB:.1f} MB resident in all (interpreter and imports "
          "included); tracemalloc sees Python's allocations, not ijson's C parser or zlib's buffers, which the "
          "growth column covers")
    failed = False
    if reader["count"] != expected or traced["count"] != expected:
        print(f"FAIL: read {reader['count']:,} plays, generated {expected:,}")
        failed = True
    if traced["peak"] > PEAK_LIMIT:
        print(f"FAIL: the reader's peak ({traced['peak'] / MB:.1f} MB) passed {PEAK_LIMIT / MB:.0f} MB")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
