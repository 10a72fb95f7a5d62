"""Benchmark: the year-in-music page of a listener who imported a 250,000-play export.

    .venv/bin/python bench/recap.py [--plays 250000] [--tracks 25000] [--quick]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/recap.py

On a throwaway database (bench/import_library.py's), one listener imports a generated Extended
Streaming History export whose plays all fall in one year (the worst year a recap can have)
through the real import (`request_history_import`, `run_history_import`); half its tracks get a
song analysis (a mood and genres), so the genre and mood mix is counted too. Then the recap page
of that year is rendered through Django's test client, signed in, three times: the render time
of each and the queries of the last.

`--quick` (CI): 5,000 plays. Fails when the page is not a 200, when it shows no plays, or when it
takes more queries than the page's test allows (tests/insights/test_recap_pages.py).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time
from datetime import UTC, datetime

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_library import prepare_database, setup_django  # noqa: E402
from tests.insights.export_factory import ExportSpec, synthetic_tracks, write_extended_export  # noqa: E402

YEAR = 2024
QUERY_LIMIT = 15  # as the page's test (the session and the user are not counted here)
RENDERS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plays", type=int, default=250_000)
    parser.add_argument("--tracks", type=int, default=25_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    plays, tracks = (5_000, 500) if args.quick else (args.plays, args.tracks)

    database_url, drop_database = prepare_database(
        os.environ.get("DATABASE_URL"), name="linernotes_bench_recap"
    )
    folder = pathlib.Path(tempfile.mkdtemp(prefix="linernotes-recap-bench-"))
    os.environ["HISTORY_IMPORT_DIR"] = str(folder / "imports")
    try:
        setup_django(database_url)
        return _run(folder=folder, plays=plays, tracks=tracks)
    finally:
        drop_database()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _run(*, folder: pathlib.Path, plays: int, tracks: int) -> int:
    from django.conf import settings
    from django.core.files.uploadedfile import UploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import SpotifyCredential, User
    from analysis.models import SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION
    from analysis.vocabulary import GENRES, MOODS
    from insights.models import Play
    from insights.services import history_import

    history_import.TURN_SECONDS = float("inf")
    spec = ExportSpec(
        rows=plays, tracks=synthetic_tracks(count=tracks),
        start=datetime(YEAR, 1, 1, tzinfo=UTC), end=datetime(YEAR + 1, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    path = folder / "my_spotify_data.zip"
    write_extended_export(spec, path)
    listener = User.objects.create_user(username="bench-listener")
    SpotifyCredential.objects.create(
        user=listener, spotify_user_id="listener", access_token="-", refresh_token="-",
        expires_at="2100-01-01T00:00Z",
    )
    started = time.perf_counter()
    with path.open("rb") as handle:
        run = history_import.request_history_import(
            user=listener, upload=UploadedFile(handle, name=path.name, size=path.stat().st_size)
        )
    run = history_import.run_history_import(import_id=run.pk)
    stored = Play.objects.filter(user=listener).count()
    elapsed = time.perf_counter() - started
    print(f"import: {stored:,} plays stored of {plays:,} rows in {elapsed:.1f} s ({run.status})")

    played = sorted(set(Play.objects.filter(user=listener).values_list("track_id", flat=True)))
    SongAnalysis.objects.bulk_create(
        [
            SongAnalysis(
                track_id=track_id, prompt_version=PROMPT_VERSION, mood=MOODS[n % len(MOODS)], energy=0.5,
                genres=[GENRES[n % len(GENRES)], GENRES[(n * 7) % len(GENRES)]], content_rating="clean",
                summary="-", confidence=0.9, provider="bench", model="bench", lyrics_status="found",
            )  # fmt: skip
            for n, track_id in enumerate(played[::2])
        ],
        batch_size=2_000,
    )
    print(f"{len(played):,} tracks played, {len(played[::2]):,} of them analysed")

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host
    settings.DEBUG = False
    client = Client()
    client.force_login(listener)
    failures, times = [], []
    for _ in range(RENDERS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(f"/insights/recap/{YEAR}/")
            times.append(time.perf_counter() - started)
    html = response.content.decode()
    renders = ", ".join(f"{t * 1000:,.0f} ms" for t in times)
    count = len(queries.captured_queries)
    print(f"recap of {YEAR}: {renders} ({connection.vendor}); {count} queries; {len(html) / 1024:.0f} KB")
    in_queries = sum(float(q["time"]) for q in queries.captured_queries)
    print(f"  of the last render, {in_queries * 1000:,.0f} ms in the database")
    if os.environ.get("RECAP_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(client.get, f"/insights/recap/{YEAR}/")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"  {float(query['time']) * 1000:,.0f} ms  {query['sql'][:110]}")
    if response.status_code != 200 or 'id="recap-figures"' not in html:
        failures.append(f"the page answered {response.status_code} without the year's figures")
    if len(queries.captured_queries) > QUERY_LIMIT:
        failures.append(f"{len(queries.captured_queries)} queries, more than {QUERY_LIMIT}")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
