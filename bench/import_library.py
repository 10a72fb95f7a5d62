"""Benchmark: import the sandbox's demo library, then re-import unchanged, then after 3 edits.

    .venv/bin/python bench/import_library.py [--mode development|extended|both] [--latency-ms 20]
                                             [--concurrency N]  (default: SPOTIFY_FETCH_CONCURRENCY)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python bench/import_library.py

Starts its own sandbox (no response validation, a fixed latency on every /v1 request) and
uses a throwaway database: a temporary SQLite file, or with DATABASE_URL a PostgreSQL
database of its own, `linernotes_bench`, created, migrated and dropped here (never the test
or dev database). Prints requests against the theoretical minimum, queries per item page,
wall time against the latency floor, and peak memory.
"""

from __future__ import annotations

import argparse
import math
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.processes import free_port, stop, wait_for_http  # noqa: E402

BENCH_DB = "linernotes_bench"
CLIENT_ID, CLIENT_SECRET = "bench-client", "bench-secret"
MUTATED = 3
# A written playlist: BEGIN (counted on SQLite only), artists, albums, tracks, credits,
# playlist row, delete items, insert items, progress.
STATEMENTS_PER_PLAYLIST = 9


# --- set-up: database, Django, sandbox -------------------------------------------------
def prepare_database(url: str | None, *, name: str = BENCH_DB) -> tuple[str, object]:
    """A DATABASE_URL for a throwaway database, and how to drop it afterwards.

    On PostgreSQL the database is `name` (each benchmark its own, so two can run at once)."""
    if not url:
        folder = tempfile.mkdtemp(prefix="linernotes-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    import psycopg

    parts = urlsplit(url)
    bench_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    return bench_url, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # the import uses no cache; keep the bench self-contained
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the after-import receivers use the cache without REDIS_URL


def start_sandbox(log, *options: str) -> tuple[subprocess.Popen, str]:
    """The sandbox on a free port (`options` go to its command line, e.g. "--scale", "2")."""
    port = free_port()
    command = [sys.executable, "-m", "sandbox", "--port", str(port), "--client-id", CLIENT_ID, *options]
    process = subprocess.Popen([*command, "--client-secret", CLIENT_SECRET], cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/_sandbox/health", timeout=30, process=process)
    return process, url


class Sandbox:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def control(self, method: str, path: str, json: dict | None = None) -> dict:
        response = self.http.request(method, f"{self.url}/_sandbox/{path}", json=json, timeout=30)
        response.raise_for_status()
        return response.json()

    def api(self, token: str, url: str) -> requests.Response:
        return self.http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


# --- what the sandbox holds: the theoretical minimum ----------------------------------
@dataclass
class Library:
    totals: dict[str, int]  # items per listed playlist, in Spotify's order
    refused: set[str]  # followed playlists, whose items Development mode refuses
    liked: int

    def minimum(self, mode: str) -> tuple[int, str]:
        page = 50 if mode == "development" else 100
        refused = self.refused if mode == "development" else set()
        listing = math.ceil(len(self.totals) / 50)
        liked = max(1, math.ceil(self.liked / 50))
        items = sum(math.ceil(n / page) for pid, n in self.totals.items() if pid not in refused)
        refusals = sum(1 for pid in refused if self.totals[pid] > 0)
        formula = (
            f"ceil({len(self.totals)}/50) listing + ceil({self.liked}/50) liked + "
            f"sum ceil(items/{page}) over {len(self.totals) - len(refused)} readable = {items}"
            + (f" + {refusals} refused followed" if refusals else "")
        )
        return listing + liked + items + refusals, formula


def read_library(sandbox: Sandbox, token: str) -> Library:
    totals: dict[str, int] = {}
    url = f"{sandbox.url}/v1/me/playlists?limit=50"
    while url:
        page = sandbox.api(token, url).json()
        totals.update({obj["id"]: obj["items"]["total"] for obj in page["items"]})
        url = page["next"]
    demo = next(u for u in sandbox.control("GET", "users")["users"] if u["id"] == "demo")
    liked = sandbox.control("GET", "stats")["users"]["demo"]["liked_tracks"]
    return Library(totals=totals, refused=set(demo["followed_playlists"]), liked=liked)


# --- measuring one run -------------------------------------------------------------------
@dataclass
class QueryCounter:
    """Counts statements at the cursor, without Django's debug cursor (which would format
    every bulk INSERT's SQL and distort the timing)."""

    total: int = 0
    item_writes: int = 0
    by_verb: dict[str, int] = field(default_factory=dict)

    def __call__(self, execute, sql, params, many, context):
        self.total += 1
        verb = sql.lstrip().split(" ", 1)[0].upper()
        self.by_verb[verb] = self.by_verb.get(verb, 0) + 1
        if verb in {"INSERT", "DELETE"} and "library_playlistitem" in sql:
            self.item_writes += 1
        return execute(sql, params, many, context)


@dataclass
class Run:
    label: str
    requests: int
    by_route: dict[str, int]
    queries: QueryCounter
    seconds: float
    http_seconds: float
    waited_seconds: float
    items_done: int
    playlists_changed: int
    peak_bytes: int | None = None

    @property
    def item_pages(self) -> int:
        return sum(
            n for route, n in self.by_route.items() if "/playlists/{playlist_id}/" in route
        ) + self.by_route.get("GET /v1/me/tracks", 0)


class HttpClock:
    """Time spent inside HTTP requests to the sandbox (latency + its serving time + transfer),
    summed over every thread that sends (the client's session and the prefetch workers);
    and how long the import's own thread waited for Spotify, sending itself or blocked on
    a prefetched page. Wall time minus that wait is ours (parsing + database)."""

    seconds = 0.0  # all threads
    waited = 0.0  # the import's thread only
    lock = threading.Lock()

    @classmethod
    def install(cls) -> None:
        from spotify.prefetch import PagePrefetcher

        original_send = requests.Session.send  # under SpotifySession.send and the workers' sessions
        original_wait = PagePrefetcher._wait

        def timed_send(self, request, **kwargs):
            started = time.perf_counter()
            try:
                return original_send(self, request, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                with cls.lock:
                    cls.seconds += elapsed
                    if threading.current_thread() is threading.main_thread():
                        cls.waited += elapsed

        def timed_wait(self, job):
            started = time.perf_counter()
            try:
                return original_wait(self, job)
            finally:
                cls.waited += time.perf_counter() - started

        requests.Session.send = timed_send
        PagePrefetcher._wait = timed_wait


@contextmanager
def measuring(*, memory: bool):
    from django.db import connection

    HttpClock.seconds = HttpClock.waited = 0.0
    counter = QueryCounter()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result: dict = {"queries": counter}
        yield result
    result["seconds"] = time.perf_counter() - started
    result["http_seconds"] = HttpClock.seconds
    result["waited_seconds"] = HttpClock.waited
    if memory:
        result["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def run_import(sandbox: Sandbox, user, *, label: str, scope: str, memory: bool = False) -> Run:
    from core.runs import RunStatus
    from sync.models import SyncEvent, SyncKind
    from sync.services.importer import run_import as import_now

    sandbox.control("DELETE", "counters")
    event = SyncEvent.objects.create(kind=SyncKind.IMPORT, user=user, scope=scope, trigger="bench")
    with measuring(memory=memory) as measured:
        event = import_now(event_id=event.pk)
    if event.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"{label}: import ended {event.status}: {event.error}")
    counters = sandbox.control("GET", "counters")
    by_route = {route: n for route, n in counters["by_route"].items() if route.startswith("GET /v1")}
    assert sum(by_route.values()) == event.spotify_requests, (by_route, event.spotify_requests)
    return Run(
        label=label,
        requests=event.spotify_requests,
        by_route=by_route,
        queries=measured["queries"],
        seconds=measured["seconds"],
        http_seconds=measured["http_seconds"],
        waited_seconds=measured["waited_seconds"],
        items_done=event.items_done,
        playlists_changed=event.playlists_changed,
        peak_bytes=measured.get("peak"),
    )


# --- one mode ----------------------------------------------------------------------------
def bench_mode(sandbox: Sandbox, *, mode: str, latency_ms: int) -> list[str]:
    from django.conf import settings
    from django.db import connection

    from accounts.credentials import store_spotify_grant
    from accounts.models import User
    from library.models import Album, Artist, Playlist, PlaylistItem, Track
    from sync.models import SyncEvent

    sandbox.control("POST", "reset")
    sandbox.control("PATCH", "config", {"mode": mode})
    settings.SPOTIFY_APP_MODE = mode
    for model in (SyncEvent, PlaylistItem, Playlist, Track, Album, Artist):
        model.objects.all().delete()
    grant = sandbox.control("POST", "tokens", {"user": "demo", "client_id": CLIENT_ID})
    user, _ = User.objects.get_or_create(username="bench", defaults={"display_name": "Bench Listener"})
    store_spotify_grant(user=user, grant=grant, spotify_user_id="demo")
    library = read_library(sandbox, grant["access_token"])
    minimum, formula = library.minimum(mode)
    # Every /v1 request waits latency_ms before it is served, as a far-away Spotify would.
    sandbox.control(
        "POST",
        "faults",
        {"method": "*", "path": "/v1/*", "kind": "latency", "latency_ms": latency_ms, "count": 10**9},
    )

    first = run_import(sandbox, user, label="first import (full)", scope="full")
    unchanged = run_import(sandbox, user, label="re-import, nothing changed", scope="incremental")
    token = grant["access_token"]
    owned = [
        pid for pid in library.totals if pid not in library.refused and 60 <= library.totals[pid] <= 400
    ][:MUTATED]
    donor = sandbox.api(token, f"{sandbox.url}/v1/me/tracks?limit=2").json()["items"]
    sandbox.control(
        "POST", f"playlists/{owned[0]}/mutate", {"op": "add", "uris": [r["track"]["uri"] for r in donor]}
    )
    sandbox.control("POST", f"playlists/{owned[1]}/mutate", {"op": "remove", "positions": [0]})
    sandbox.control(
        "POST", f"playlists/{owned[2]}/mutate", {"op": "reorder", "range_start": 0, "insert_before": 5}
    )
    page = 50 if mode == "development" else 100
    edited_pages = sum(
        math.ceil(Playlist.objects.get(user=user, spotify_id=pid).items_total / page) for pid in owned
    )
    edited = run_import(sandbox, user, label=f"re-import after {MUTATED} edits", scope="incremental")
    memory = run_import(sandbox, user, label="full re-import, traced", scope="full", memory=True)

    latency = latency_ms / 1000
    listing_pages = math.ceil(len(library.totals) / 50)
    lines = [
        "",
        (
            f"== {mode} mode on {connection.vendor} ({connection.settings_dict['NAME']}), "
            f"latency {latency_ms} ms, fetch concurrency {settings.SPOTIFY_FETCH_CONCURRENCY} =="
        ),
        (
            f"library: {len(library.totals)} playlists ({len(library.refused)} followed), {library.liked} liked, "
            f"{sum(library.totals.values())} items listed"
        ),
        f"minimum requests = {formula} => {minimum}",
        "",
        (
            f"{'run':<30}{'requests':>9}{'min':>6}{'ratio':>7}{'queries':>9}{'item pages':>11}{'q/page':>8}"
            f"{'item writes':>12}{'wall s':>8}{'floor s':>8}{'wall/floor':>11}{'http s':>8}{'http/floor':>11}"
        ),
    ]
    expectations = {
        first.label: minimum,
        unchanged.label: listing_pages + 1,
        edited.label: listing_pages + 1 + edited_pages,
    }
    for run in (first, unchanged, edited):
        floor = run.requests * latency
        expected = expectations[run.label]
        per_page = f"{run.queries.total / run.item_pages:.2f}" if run.item_pages else "-"
        lines.append(
            f"{run.label:<30}{run.requests:>9}{expected:>6}{run.requests / expected:>7.2f}{run.queries.total:>9}"
            f"{run.item_pages:>11}{per_page:>8}{run.queries.item_writes:>12}{run.seconds:>8.2f}{floor:>8.2f}"
            f"{run.seconds / floor:>11.2f}{run.http_seconds:>8.2f}{run.http_seconds / floor:>11.2f}"
        )
    own = first.seconds - first.waited_seconds
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_playlist = (first.queries.total - unchanged.queries.total) / first.playlists_changed
    # Django 5.2 caps a SQLite statement at 999 variables (~99 rows of our widest table):
    # one more statement per ~99 rows for each of the 5 bulk-written tables; none on PostgreSQL.
    sqlite_allowance = (
        sum(5 * (math.ceil(n / 99) - 1) for n in [*library.totals.values(), library.liked] if n)
        if connection.vendor == "sqlite"
        else 0
    )
    lines += [
        "",
        (
            f"first import: {first.items_done} items, {first.playlists_changed} playlists written; "
            f"statements {dict(sorted(first.queries.by_verb.items()))}"
        ),
        f"edited re-import: {edited.playlists_changed} playlists written, routes {edited.by_route}",
        (
            f"first import time: {first.seconds:.2f} s wall; {first.http_seconds:.2f} s in HTTP summed over "
            f"threads (latency floor {first.requests * latency:.2f} s + the sandbox serving and sending "
            f"{first.requests} pages); the import's thread waited {first.waited_seconds:.2f} s for Spotify "
            f"and spent {own:.2f} s on its own work (parsing + database, "
            f"{1000 * own / first.requests:.1f} ms per request)"
        ),
        (
            f"memory: tracemalloc peak during a full re-import {(memory.peak_bytes or 0) / 2**20:.1f} MiB "
            f"(that run: {memory.seconds:.2f} s traced); process ru_maxrss {rss_mib:.0f} MiB"
        ),
        "",
        "targets:",
        _target("requests == minimum (first import)", first.requests == minimum),
        _target(
            f"statements per written playlist constant: {per_playlist:.2f} "
            f"(bound {STATEMENTS_PER_PLAYLIST}{' + SQLite batches' if connection.vendor == 'sqlite' else ''})",
            first.queries.total - unchanged.queries.total
            <= STATEMENTS_PER_PLAYLIST * first.playlists_changed + sqlite_allowance,
        ),
        _target(
            f"unchanged re-import <= ceil(playlists/50) + 1 = {listing_pages + 1} requests, no item write",
            unchanged.requests <= listing_pages + 1 and unchanged.queries.item_writes == 0,
        ),
        _target(
            f"after {MUTATED} edits only those fetched ({edited_pages} item pages)",
            edited.requests == listing_pages + 1 + edited_pages and edited.playlists_changed == MUTATED,
        ),
        _target(
            f"wall time within 1.2x the latency floor (first import {first.seconds / (first.requests * latency):.2f}x)",
            first.seconds <= 1.2 * first.requests * latency,
        ),
    ]
    return lines


def _target(text: str, met: bool) -> str:
    return f"  [{'met' if met else 'NOT MET'}] {text}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("development", "extended", "both"), default="both")
    parser.add_argument("--latency-ms", type=int, default=20, help="added to every sandbox /v1 request")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="item pages fetched at once (SPOTIFY_FETCH_CONCURRENCY; 1 = one at a time, for comparison)",
    )
    args = parser.parse_args()
    database_url, drop_database = prepare_database(os.environ.get("DATABASE_URL"))
    with tempfile.TemporaryFile() as log:
        run(args, database_url, drop_database, log)
    return 0


def run(args: argparse.Namespace, database_url: str, drop_database, log) -> None:
    process, url = start_sandbox(log)
    try:
        setup_django(database_url)
        HttpClock.install()
        from django.conf import settings

        settings.SPOTIFY_API_URL = f"{url}/v1"
        settings.SPOTIFY_ACCOUNTS_URL = url
        settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        if args.concurrency is not None:
            if args.concurrency < 1:
                raise SystemExit("--concurrency must be at least 1")
            settings.SPOTIFY_FETCH_CONCURRENCY = args.concurrency
        sandbox = Sandbox(url)
        modes = ("development", "extended") if args.mode == "both" else (args.mode,)
        for mode in modes:
            print("\n".join(bench_mode(sandbox, mode=mode, latency_ms=args.latency_ms)), flush=True)
    finally:
        stop(process, timeout=10)
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    raise SystemExit(main())
