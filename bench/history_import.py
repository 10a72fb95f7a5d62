"""Benchmark: importing a generated Spotify Extended Streaming History export into a history.

    .venv/bin/python bench/history_import.py [--plays 250000] [--files-of 16000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/history_import.py

On a throwaway database (bench/import_library.py's: a temporary SQLite file, or a PostgreSQL
database of its own), for one listener:

- upload: `request_history_import`, which checks the first rows of each file (the web request);
- import: `run_history_import` in one turn (its first step reads the whole export once to check
  it, then batches of 2,000): the check's time, plays/s, queries per batch, and the
  growth of the process's peak resident memory over the run (it must not grow with the export);
- again: the same export read a second time past the fingerprint check, every play recognised
  as stored (the idempotence path): plays/s, and that it added nothing;
- resume: a run stopped after its first batch and run again from its position.

`--quick` (CI): 5,000 plays in files of 1,000 rows. Fails when the plays stored differ from the
plays generated, when the second read adds any, or when the peak memory grows past 64 MB.
"""

from __future__ import annotations

import argparse
import pathlib
import resource
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_library import prepare_database, setup_django  # noqa: E402
from tests.insights.export_factory import ExportSpec, extended_rows, synthetic_tracks, write_extended_export  # noqa: E402

GROWTH_LIMIT = 64 * 1024**2
MB = 1024**2


class Stop(BaseException):
    """Stops a run after its first batch, past its `except Exception`, as a dying worker would."""


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plays", type=int, default=250_000)
    parser.add_argument("--files-of", type=int, default=16_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    plays, files_of = (5_000, 1_000) if args.quick else (args.plays, args.files_of)

    import os

    database_url, drop_database = prepare_database(os.environ.get("DATABASE_URL"), name="linernotes_bench_history")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="linernotes-history-bench-"))
    os.environ["HISTORY_IMPORT_DIR"] = str(folder / "imports")
    try:
        setup_django(database_url)
        return _run(folder=folder, plays=plays, files_of=files_of)
    finally:
        drop_database()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _run(*, folder: pathlib.Path, plays: int, files_of: int) -> int:
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection

    from accounts.models import SpotifyCredential, User
    from insights.models import HistoryImport, Play
    from insights.services import history_import

    history_import.TURN_SECONDS = float("inf")  # one turn: the figures are the import's own
    spec = ExportSpec(rows=plays, tracks=synthetic_tracks(count=max(50, plays // 10)), rows_per_file=files_of)
    path = folder / "my_spotify_data.zip"
    started = time.perf_counter()
    write_extended_export(spec, path)
    print(f"export: {plays:,} rows, {path.stat().st_size / MB:.1f} MB zipped "
          f"(written in {time.perf_counter() - started:.1f} s)")
    expected = sum(1 for row in extended_rows(spec) if row["spotify_track_uri"])

    def upload(user) -> HistoryImport:
        with path.open("rb") as handle:
            return history_import.request_history_import(
                user=user, upload=UploadedFile(handle, name=path.name, size=path.stat().st_size)
            )

    def timed_run(run_id: int, **kwargs) -> tuple[HistoryImport, float, int, int]:
        before = _maxrss()
        queries = []

        def count(execute, sql, params, many, context):  # counted only: Django's debug cursor
            queries.append(1)  # would format every statement's 2,000 parameters, and be timed
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            run = history_import.run_history_import(import_id=run_id, **kwargs)
            elapsed = time.perf_counter() - started
        return run, elapsed, len(queries), _maxrss() - before

    failures = []
    listener = User.objects.create_user(username="bench-listener")
    SpotifyCredential.objects.create(
        user=listener, spotify_user_id="listener", access_token="-", refresh_token="-", expires_at="2100-01-01T00:00Z"
    )
    started = time.perf_counter()
    first = upload(listener)
    print(f"upload (first rows of each file + fingerprint, in the web request): {time.perf_counter() - started:.2f} s")

    from insights.services.spotify_export import Upload, inspect_export

    started = time.perf_counter()
    inspect_export(uploads=[Upload(path=path, name=path.name)], expected_username="listener")
    print(f"the run's first step (the whole file checked): {time.perf_counter() - started:.1f} s")
    run, elapsed, queries, growth = timed_run(first.pk)
    batches = -(-run.plays_read // history_import.BATCH_SIZE)
    print(f"import (check included): {run.plays_added:,} plays added of {run.plays_read:,} in {elapsed:.1f} s = "
          f"{run.plays_read / elapsed:,.0f} plays/s; {queries / max(1, batches):.1f} queries per batch; "
          f"peak RSS growth {growth / MB:.1f} MB")
    stored = Play.objects.filter(user=listener).count()
    if stored != expected or run.status != "succeeded":
        failures.append(f"{stored} plays stored, {expected} generated ({run.status} {run.error})")
    if growth > GROWTH_LIMIT:
        failures.append(f"peak memory grew by {growth / MB:.0f} MB")

    HistoryImport.objects.filter(pk=run.pk).update(fingerprint="read-it-again")
    again, elapsed, _, _ = timed_run(upload(listener).pk)
    print(f"again: {again.already_known:,} recognised, {again.plays_added} added in {elapsed:.1f} s = "
          f"{again.plays_read / elapsed:,.0f} plays/s")
    if again.plays_added or Play.objects.filter(user=listener).count() != expected:
        failures.append(f"the second read added {again.plays_added} plays")

    other = User.objects.create_user(username="bench-resume")  # no credential: the export's username
    second = upload(other)

    def stop() -> None:
        raise Stop

    try:
        history_import.run_history_import(import_id=second.pk, after_batch=stop)
    except Stop:
        pass
    HistoryImport.objects.filter(pk=second.pk).update(status="queued", claimed_by="")
    resumed, elapsed, _, _ = timed_run(second.pk)
    print(f"resume after the first batch: the rest in {elapsed:.1f} s, {resumed.plays_added:,} plays in all")
    if resumed.plays_added != expected:
        failures.append(f"the resumed import stored {resumed.plays_added} plays, not {expected}")

    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
