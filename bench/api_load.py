"""Benchmark: the read API under load — gunicorn against PostgreSQL + Redis, the demo library imported.

    .venv/bin/python bench/api_load.py                 # 50 clients × 30 s per phase, closed loop
    .venv/bin/python bench/api_load.py --rate 2        # the same clients, each 2 requests/s
    .venv/bin/python bench/api_load.py --quick         # 10 clients × 5 s (CI): fails on any error
    .venv/bin/python bench/api_load.py --worker-class gthread --workers 2 --threads 4

Set-up (not measured): a database of its own, `bench_apiload`, on the PostgreSQL server of
DATABASE_URL (default the local one; created here, dropped afterwards), Redis database 3 on the
server of REDIS_URL (default the local one; whatever database the URL names, never 0: only this
project's keys there are touched), the Spotify sandbox, the demo listener's library imported
in-process as after a sign-in, an API token, and what a listener gathers besides: past imports,
a device library synced through the API, song analyses of the big playlist's songs, snapshots
with written insights. Then gunicorn (the production settings) on a free port, by default with
sync workers, 2 × CPUs + 1 of them (gunicorn's own advice: 5 on 2 CPUs). Measured on 2 CPUs
against gthread (2 workers × 4 threads, and 4 × 2) with the 50 clients: gthread spends ~10 % less
CPU per request (keep-alive: no new connection per request) but a keep-alive connection stays with
the worker that accepted it, and the clients' connections, opened together, landed mostly on one
worker: one client got 15 times the answers of the median one while the others queued on the
crowded worker (p95 190-240 ms, p99 over 300 ms, against 150 and 160 ms with sync workers, where
each request is a new connection taken by whichever worker is free and every client gets the
same share). `--worker-class gthread` measures the other way.

Clients (in a few processes; keep-alive where the server keeps connections) each hold one URL of
every endpoint (a page, a song: they spread over them) and take the endpoints in turn: with no
pause (closed loop, the default) or every 1/--rate s (latency counted from when a request was
due, so a slow answer that delays the next ones is not hidden). Two phases: *plain* (no
conditional request: every answer is a full body), then *revalidate* (the same clients send back
the ETag each got for the URL, as an HTTP cache or a polling script does). Before them, each
endpoint alone (one client: its first, built answer, then its p50 and the server's CPU per
request). Per endpoint and phase: p50/p95/p99, requests/s, answers by status, errors, and its p50
over /health's p50 in the same phase (the floor: the same server and load, next to no application
work); per phase the CPU gunicorn's workers spent per request (what the machine's other load
disturbs least) and how evenly the clients were served.

Exit status: non-zero on any error (an answer other than 2xx/304, a connection failure), so CI
catches breakage. Latency targets are printed, never enforced (shared CI machines are noisy).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_library import (  # noqa: E402
    CLIENT_ID,
    CLIENT_SECRET,
    Sandbox,
    prepare_database,
    start_sandbox,
)
from tests.support.processes import free_port, stop, stop_all, wait_for_http  # noqa: E402

BENCH_DB = "bench_apiload"
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
DEFAULT_REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_DB = 3  # the other benchmarks use 5, 6 and 7; the test suite 0
TARGET_P95_MS = 50.0
PAST_IMPORTS = 120  # a listener's import history: a few months of daily imports
SNAPSHOT_DAYS = 3  # × 3 time ranges, each with 12 insights (4 kinds × 3 tones)


# --- set-up -------------------------------------------------------------------------------------
def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """What both this process (the import, the seeding) and gunicorn run with: production settings."""
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ENV_FILE": "/nonexistent",  # never a developer's .env
        "SECRET_KEY": "bench-api-load-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback, as behind the TLS proxy
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    forget_our_redis_keys()


def forget_our_redis_keys() -> None:
    """The project's cache keys and the bench's queued tasks, nothing else of the Redis database."""
    from django.core.cache import cache
    from django_q.brokers import get_broker

    from core.queues import QUEUES, cluster_name

    cache.delete_pattern("*")  # django-redis: only keys under our KEY_PREFIX
    for queue in QUEUES:  # the after-import receivers queue analysis batches etc.; no cluster runs
        get_broker(cluster_name(queue)).purge_queue()


@dataclass
class Listener:
    token: str
    big_playlist: int  # the library's biggest playlist's id
    big_items: int
    track_ids: list[str]  # the big playlist's tracks, for the song endpoint


def import_demo_library(sandbox: Sandbox) -> Listener:
    """The demo listener signed in (tokens stored), their library imported as the first import
    after sign-in does, and an API token for scripts."""
    from django.conf import settings

    from accounts.credentials import store_spotify_grant
    from accounts.models import User
    from accounts.selectors import list_api_tokens
    from accounts.services import create_api_token, revoke_api_tokens
    from core.runs import RunStatus
    from library.models import Playlist, PlaylistItem
    from sync.models import ImportScope, SyncEvent, SyncKind
    from sync.services.importer import run_import

    settings.SPOTIFY_API_URL = f"{sandbox.url}/v1"
    settings.SPOTIFY_ACCOUNTS_URL = sandbox.url
    settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    grant = sandbox.control("POST", "tokens", {"user": "demo", "client_id": CLIENT_ID})
    user, _ = User.objects.get_or_create(username="demo-listener", defaults={"display_name": "Demo Listener"})
    store_spotify_grant(user=user, grant=grant, spotify_user_id="demo")
    event = SyncEvent.objects.create(kind=SyncKind.IMPORT, user=user, scope=ImportScope.FULL, trigger="bench")
    event = run_import(event_id=event.pk)
    if event.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"the import ended {event.status}: {event.error}")
    big = Playlist.objects.filter(user=user).order_by("-track_count", "pk").first()
    track_ids = list(
        PlaylistItem.objects.filter(playlist=big, track__isnull=False)
        .order_by("position")
        .values_list("track_id", flat=True)
        .distinct()
    )
    # A token of its own each run (a secret is only known when made): the last run's goes.
    revoke_api_tokens(tokens=[t for t in list_api_tokens(user=user) if t.name == "bench api_load"])
    _, secret = create_api_token(user=user, name="bench api_load")
    return Listener(token=secret, big_playlist=big.pk, big_items=big.track_count, track_ids=track_ids)


def seed_history(listener: Listener) -> dict[str, int]:
    """What a listener of some months has besides the mirror: past imports, analyses of the big
    playlist's songs, snapshots with insights written from them. Straight to the database."""
    from django.utils import timezone as dj_timezone

    from accounts.models import User
    from analysis.models import LyricsStatus, SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION as ANALYSIS_PROMPT
    from analysis.vocabulary import CONTENT_RATINGS, MOODS
    from core.runs import RunStatus
    from insights.models import GeneratedInsight, InsightKind, InsightTone, ListeningSnapshot, TimeRange
    from insights.services.insight_writer import PROMPT_VERSION as INSIGHT_PROMPT
    from sync.models import ImportScope, SyncEvent, SyncKind

    user = User.objects.get(username="demo-listener")
    now = dj_timezone.now()
    SyncEvent.objects.bulk_create(
        SyncEvent(
            kind=SyncKind.IMPORT,
            user=user,
            scope=ImportScope.INCREMENTAL,
            trigger="schedule",
            status=RunStatus.SUCCEEDED if n % 10 else RunStatus.FAILED,
            started_at=now - timedelta(days=n + 1),
            finished_at=now - timedelta(days=n + 1) + timedelta(seconds=40),
            playlists_total=70,
            playlists_done=70,
            items_done=300 + n,
            playlists_changed=n % 4,
            spotify_requests=5 + n % 4,
            error="" if n % 10 else "Spotify did not answer in time.",
        )
        for n in range(PAST_IMPORTS)
    )
    rng = random.Random(1)
    SongAnalysis.objects.bulk_create(
        [
            SongAnalysis(
                track_id=track_id,
                prompt_version=ANALYSIS_PROMPT,
                mood=rng.choice(MOODS),
                energy=round(rng.random(), 2),
                themes=["night", "city"],
                genres=["pop"],
                flag_profanity=rng.random() < 0.1,
                content_rating=rng.choice(CONTENT_RATINGS),
                language="en",
                summary="A song about the city at night.",
                confidence=0.8,
                provider="bench",
                model="bench-model",
                lyrics_status=LyricsStatus.FOUND,
                latency_ms=900,
            )
            for track_id in listener.track_ids
        ],
        ignore_conflicts=True,
    )
    insights = 0
    for day in range(SNAPSHOT_DAYS):
        for time_range in TimeRange.values:
            snapshot = ListeningSnapshot.objects.create(
                user=user,
                snapshot_date=(now - timedelta(days=day)).date(),
                time_range=time_range,
                top_tracks=[{"id": t, "rank": n + 1} for n, t in enumerate(listener.track_ids[:50])],
                play_count=400,
                hour_of_day=[10] * 24,
            )
            rows = [
                GeneratedInsight(
                    user=user,
                    snapshot=snapshot,
                    kind=kind,
                    tone=tone,
                    prompt_version=INSIGHT_PROMPT,
                    status=RunStatus.SUCCEEDED,
                    headline="You listen most in the evening",
                    paragraphs=["Your evenings are for long playlists."] * 3,
                    highlights=[{"label": "Top mood", "value": "calm"}] * 3,
                    provider="bench",
                    model="bench-model",
                    prompt_tokens=900,
                    completion_tokens=300,
                    generation_ms=4000,
                    generation=1,
                    generated_at=now,
                )
                for kind in InsightKind.values
                for tone in InsightTone.values
            ]
            GeneratedInsight.objects.bulk_create(rows)
            insights += len(rows)
    return {"past imports": PAST_IMPORTS, "analyses": len(listener.track_ids), "insights": insights}


def device_library_body(track_ids: list[str]) -> dict:
    """What a client that has been in use a while sends on its first sync."""
    start = datetime.now(timezone.utc) - timedelta(days=30)

    def at(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).isoformat()

    tracks = track_ids * (1 + 600 // max(1, len(track_ids)))
    return {
        "favorites": [
            {"track": t, "title": f"Song {n}", "artist": "Artist", "added_at": at(n)}
            for n, t in enumerate(dict.fromkeys(tracks[:300]))
        ],
        "history": [
            {"track": t, "title": f"Song {n}", "played_at": at(n * 3), "completion": 1.0}
            for n, t in enumerate(tracks[:200])
        ],
        "playlists": [
            {
                "local_id": f"bench-{p}",
                "name": f"Mix {p}",
                "description": "",
                "is_public": False,
                "created_at": at(p),
                "updated_at": at(p),
                "items": [{"track": t, "added_at": at(p)} for t in tracks[p * 30 : p * 30 + 30]],
            }
            for p in range(10)
        ],
        "recent_searches": [{"query": f"search {n}", "searched_at": at(n)} for n in range(10)],
    }


# --- gunicorn -------------------------------------------------------------------------------------
def start_gunicorn(args, environment: dict[str, str], log) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--backlog", "2048",
    ]  # fmt: skip
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **environment}, stdout=log, stderr=log, start_new_session=True
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", timeout=60, process=process)
    except RuntimeError:
        stop(process)
        raise
    return process, port


def cpu_seconds_of_children(parent: int) -> float:
    """User + system CPU of `parent`'s live children (gunicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == parent:  # ppid; utime and stime are fields 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, (json.loads(data) if data else {})


# --- the load -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    name: str
    paths: tuple[str, ...]  # pages, songs: each client holds one of them, the clients spread over all


def endpoints(listener: Listener, *, since: str) -> list[Endpoint]:
    big, pages = listener.big_playlist, max(1, -(-listener.big_items // 100))
    songs = listener.track_ids[:: max(1, len(listener.track_ids) // 200)]
    return [
        Endpoint("/health (floor)", ("/health",)),
        Endpoint("library playlists list", ("/api/library/playlists/",)),
        Endpoint(
            f"big playlist items page ({listener.big_items} items)",
            tuple(f"/api/library/playlists/{big}/?page={n}" for n in range(1, pages + 1)),
        ),
        Endpoint("sync events list", ("/api/sync-events/",)),
        # Since before the device library was synced: all of it, the largest answer (~127 KB).
        Endpoint("device changes since", (f"/api/me/library/changes?since={since}",)),
        Endpoint("insights list", ("/api/insights/",)),
        Endpoint("song (analysis)", tuple(f"/api/songs/{t}/" for t in songs)),
        Endpoint(
            "big playlist analysis page",
            tuple(f"/api/library/playlists/{big}/analysis/?page={n}" for n in range(1, pages + 1)),
        ),
    ]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # ms, answered (2xx/304) and errors alike
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    body_bytes: int = 0
    samples: list[str] = field(default_factory=list)  # the first few errors, to print

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n
        self.errors += other.errors
        self.body_bytes += other.body_bytes
        self.samples += other.samples[: max(0, 3 - len(self.samples))]


def client_loop(
    port, token, plan, offset, revalidate, rate, start_at, record_from, stop_at, etags, tallies, counts, lock
):
    """One client: a keep-alive connection and, per endpoint, one URL of its own (a page, a song:
    the clients spread over them), taken in turn. Closed loop (`rate` 0): the next request as soon
    as the answer is in. Paced: a request every 1/rate s, its latency counted from when it was due
    (so a slow answer that delays the next ones is not hidden). Answers before `record_from` warm
    the server up and are not counted. `etags` (URL → ETag) is the client's own, kept across phases."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    urls = [(name, paths[offset % len(paths)]) for name, paths in plan]
    mine = {name: Tally() for name, _ in plan}
    step = offset
    interval = 1 / rate if rate else 0.0
    due = start_at + (offset % 97) / 97 * interval  # paced clients start spread over one interval
    while time.time() < start_at:
        time.sleep(0.005)
    while True:
        name, path = urls[step % len(urls)]
        step += 1
        sent = dict(headers)
        if revalidate and path in etags:
            sent["If-None-Match"] = etags[path]
        if interval:
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
        wall = time.time()
        if wall >= stop_at:
            break
        began = time.perf_counter() - (max(0.0, wall - due) if interval else 0.0)
        due += interval
        try:
            connection.request("GET", path, headers=sent)
            response = connection.getresponse()
            body = response.read()
            status = response.status
            error = not (200 <= status < 300 or status == 304)
            etag = response.getheader("ETag")
            detail = f"{status} {path}: {body[:200]!r}" if error else ""
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, error, etag, body, detail = 0, True, None, b"", f"{type(exc).__name__} {path}: {exc}"
        elapsed = (time.perf_counter() - began) * 1000
        if etag:
            etags[path] = etag
        if wall < record_from:
            continue
        tally = mine[name]
        tally.latencies.append(elapsed)
        tally.statuses[status] = tally.statuses.get(status, 0) + 1
        tally.body_bytes += len(body)
        if error:
            tally.errors += 1
            if len(tally.samples) < 3:
                tally.samples.append(detail)
    connection.close()
    with lock:
        for name, tally in mine.items():
            tallies[name].merge(tally)
        counts[offset] = sum(len(tally.latencies) for tally in mine.values())


def load_process(
    port, token, plan, offsets, revalidate, rate, start_at, record_from, stop_at, etags, results
) -> None:
    """A process of client threads (several processes: one Python process cannot keep 50
    connections busy without its own scheduling showing up in the latencies)."""
    tallies = {name: Tally() for name, _ in plan}
    counts: dict[int, int] = {}
    lock = threading.Lock()
    mine = {offset: dict(etags.get(offset, {})) for offset in offsets}
    threads = [
        threading.Thread(
            target=client_loop,
            args=(port, token, plan, offset, revalidate, rate, start_at, record_from, stop_at, mine[offset],
                  tallies, counts, lock),
        )  # fmt: skip
        for offset in offsets
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(({name: tally.__dict__ for name, tally in tallies.items()}, mine, counts))


@dataclass
class Phase:
    tallies: dict[str, Tally]
    server_cpu: float  # seconds, gunicorn's workers, measured part only
    clients_cpu: float  # seconds, the load processes, warm-up included
    etags: dict[int, dict[str, str]]  # per client, for the next phase
    per_client: list[int]  # measured requests of each client


def run_phase(port, server_pid, token, plan_endpoints, args, *, revalidate: bool, etags: dict) -> Phase:
    plan = [(e.name, e.paths) for e in plan_endpoints]
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.5
    record_from = start_at + args.warmup
    stop_at = record_from + args.seconds
    processes = [
        context.Process(
            target=load_process,
            args=(port, token, plan, list(range(p, args.clients, args.load_processes)), revalidate, args.rate,
                  start_at, record_from, stop_at, etags, results),
        )  # fmt: skip
        for p in range(args.load_processes)
    ]
    clients_cpu = sum(os.times()[2:4])
    for process in processes:
        process.start()
    merged = {name: Tally() for name, _ in plan}
    while time.time() < record_from:
        time.sleep(0.01)
    server_cpu = cpu_seconds_of_children(server_pid)
    while time.time() < stop_at:
        time.sleep(0.01)
    server_cpu = cpu_seconds_of_children(server_pid) - server_cpu
    kept: dict[int, dict[str, str]] = {}
    per_client: dict[int, int] = {}
    for _ in processes:
        raw_tallies, their_etags, their_counts = results.get(timeout=args.seconds + args.warmup + 120)
        for name, raw in raw_tallies.items():
            merged[name].merge(Tally(**raw))
        kept.update(their_etags)
        per_client.update(their_counts)
    for process in processes:
        process.join()
    # The clients' CPU is known once they have ended (children's times).
    return Phase(merged, server_cpu, sum(os.times()[2:4]) - clients_cpu, kept, sorted(per_client.values()))


def alone(port: int, server_pid: int, token: str, plan_endpoints, seconds: float) -> list[str]:
    """Each endpoint by itself, one client, one URL: its first answer (built: nothing cached yet)
    and then `seconds` of the same request (cached where the endpoint caches), with the CPU
    gunicorn's workers spent per request. No queueing: what one request costs."""
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    lines = [
        f"-- each endpoint alone: one client, {seconds:g} s",
        f"{'endpoint':<42}{'first ms':>9}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'p50/health':>11}"
        f"{'server CPU ms':>14}",
    ]
    floor = None
    failures = []
    for endpoint in plan_endpoints:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        path = endpoint.paths[0]
        latencies = []
        cpu = None
        deadline = None
        while deadline is None or time.perf_counter() < deadline:
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                failures.append(f"{response.status} {path}")
                break
            if deadline is None:  # after the first answer: the measured repeats
                cpu, deadline = cpu_seconds_of_children(server_pid), time.perf_counter() + seconds
        connection.close()
        repeats = latencies[1:]
        cpu = cpu_seconds_of_children(server_pid) - cpu if cpu is not None else 0.0
        p50 = percentile(repeats, 50)
        floor = floor or p50
        lines.append(
            f"{endpoint.name:<42}{latencies[0]:>9.1f}{len(repeats):>9}{p50:>8.1f}"
            f"{percentile(repeats, 95):>8.1f}"
            f"{p50 / floor:>11.1f}{1000 * cpu / max(len(repeats), 1):>14.2f}"
        )
    if failures:
        raise SystemExit("before the load: " + ", ".join(failures))
    return lines


# --- figures ----------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def report(label: str, tallies: dict[str, Tally], seconds: float) -> tuple[list[str], dict]:
    floor = percentile(next(iter(tallies.values())).latencies, 50)
    lines = [
        f"-- {label}",
        f"{'endpoint':<42}{'requests':>9}{'req/s':>8}{'2xx':>7}{'304':>7}{'errors':>7}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'p50/health':>11}{'KB/answer':>10}",
    ]
    figures = {}
    every: list[float] = []
    for name, tally in tallies.items():
        n = len(tally.latencies)
        every += tally.latencies
        ok = sum(count for status, count in tally.statuses.items() if 200 <= status < 300)
        p50, p95, p99 = (percentile(tally.latencies, q) for q in (50, 95, 99))
        figures[name] = {"p50": p50, "p95": p95, "p99": p99, "errors": tally.errors, "requests": n}
        lines.append(
            f"{name:<42}{n:>9}{n / seconds:>8.0f}{ok:>7}{tally.statuses.get(304, 0):>7}{tally.errors:>7}"
            f"{p50:>8.1f}{p95:>8.1f}{p99:>8.1f}{p50 / floor:>11.1f}"
            f"{tally.body_bytes / max(n, 1) / 1024:>10.1f}"
        )
    errors = sum(t.errors for t in tallies.values())
    lines.append(
        f"{'all':<42}{len(every):>9}{len(every) / seconds:>8.0f}{'':>7}{'':>7}{errors:>7}"
        f"{percentile(every, 50):>8.1f}{percentile(every, 95):>8.1f}{percentile(every, 99):>8.1f}"
    )
    for name, tally in tallies.items():
        for sample in tally.samples:
            lines.append(f"   error at {name}: {sample}")
    return lines, figures


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each phase")
    parser.add_argument("--quick", action="store_true", help="10 clients × 5 s (CI): any error fails the run")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="sync")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=4, help="per gthread worker")
    parser.add_argument("--phases", default="plain,revalidate", help="plain, revalidate or both (comma)")
    parser.add_argument("--rate", type=float, default=0.0, help="requests/s per client (0: closed loop)")
    parser.add_argument("--load-processes", type=int, default=2, help="client processes (threads within)")
    parser.add_argument("--alone-seconds", type=float, default=3.0, help="per endpoint, before the load")
    parser.add_argument("--keep-database", action="store_true", help="leave bench_apiload for inspection")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds, args.warmup, args.alone_seconds = 10, 5.0, 1.0, 1.0
    args.load_processes = max(1, min(args.load_processes, args.clients))
    args.phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    if not set(args.phases) <= {"plain", "revalidate"}:
        raise SystemExit("--phases: plain, revalidate or both")
    return args


def servers_from_environment() -> tuple[str, str]:
    """(the PostgreSQL server's URL, our Redis database's URL) from DATABASE_URL and REDIS_URL."""
    database = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the bench uses its own database there)")
    redis = (os.environ.get("REDIS_URL") or DEFAULT_REDIS_SERVER).rstrip("/")
    if urlsplit(redis).path.strip("/").isdigit():
        redis = redis.rsplit("/", 1)[0]
    return database, f"{redis}/{REDIS_DB}"


def describe(args, listener: Listener, seeded: dict, plan: list[Endpoint], seconds_set_up: float) -> None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    workers = (
        f"{args.workers} gthread workers × {args.threads} threads"
        if args.worker_class == "gthread"
        else f"{args.workers} sync workers"
    )
    pacing = (
        f"each paced at {args.rate:g} requests/s ({args.clients * args.rate:g}/s offered)"
        if args.rate
        else "closed loop (the next request as soon as the answer is in)"
    )
    print(
        f"== gunicorn ({workers}) on {os.cpu_count()} CPUs, PostgreSQL {database['NAME']}, Redis database "
        f"{REDIS_DB}, CONN_MAX_AGE={database['CONN_MAX_AGE']} ==\n"
        f"library: the demo listener's {listener.big_items}-item playlist (id {listener.big_playlist}), "
        f"{len(listener.track_ids)} distinct tracks; seeded {seeded}, a device library of 300 favorites, "
        f"200 plays, 10 playlists; set-up {seconds_set_up:.0f} s\n"
        f"load: {args.clients} clients on keep-alive connections in {args.load_processes} processes, "
        f"{pacing}; {args.seconds:g} s per phase after {args.warmup:g} s of warm-up; each client takes "
        f"the {len(plan)} endpoints in turn, one URL of each (a page, a song) its own",
        flush=True,
    )


def measure(args, port: int, server_pid: int, listener: Listener, plan: list[Endpoint]) -> int:
    """Every endpoint alone, then the phases; prints their figures and the targets; the errors."""
    # Every endpoint answers 200 (or the run stops here), and what each costs by itself.
    print("\n" + "\n".join(alone(port, server_pid, listener.token, plan, args.alone_seconds)), flush=True)
    errors, worst_p95, etags = 0, {}, {}
    for phase in args.phases:
        revalidate = phase == "revalidate"
        result = run_phase(port, server_pid, listener.token, plan, args, revalidate=revalidate, etags=etags)
        etags = result.etags  # the same clients go on, now sending back what they got
        label = (
            "revalidate: each client sends the ETag it last got for the URL"
            if revalidate
            else "plain: no If-None-Match, every answer a full body"
        )
        lines, figures = report(label, result.tallies, args.seconds)
        answered = max(1, sum(f["requests"] for f in figures.values()))
        counts = result.per_client
        fewest, median, most = counts[0], counts[len(counts) // 2], counts[-1]
        pinned = " (gthread: keep-alive connections stay with their worker)" if most > 2 * fewest else ""
        lines += [
            f"server CPU {1000 * result.server_cpu / answered:.2f} ms per request (gunicorn's workers, "
            f"{result.server_cpu / args.seconds:.2f} cores busy); clients "
            f"{1000 * result.clients_cpu / answered:.2f} ms per request (warm-up included); "
            f"machine load average {os.getloadavg()[0]:.1f}",
            f"requests per client: fewest {fewest}, median {median}, most {most}{pinned}",
        ]
        print("\n" + "\n".join(lines), flush=True)
        errors += sum(f["errors"] for f in figures.values())
        for name, f in figures.items():
            worst_p95[name] = max(worst_p95.get(name, 0.0), f["p95"])
    over = ", ".join(f"{name} {p95:.0f} ms" for name, p95 in worst_p95.items() if p95 >= TARGET_P95_MS)
    print("\ntargets (latency: printed, never enforced):")
    print(f"  [{'met' if not errors else 'NOT MET'}] no errors ({errors})")
    print(
        f"  [{'met' if not over else 'NOT MET'}] p95 < {TARGET_P95_MS:g} ms at every endpoint in every phase"
        + (f"; over: {over}" if over else "")
        + ("" if args.clients >= 50 else f" (at {args.clients} clients; the target is for 50)")
    )
    return errors


def main() -> int:
    args = parse_args()
    database_server, redis_url = servers_from_environment()
    database_url, drop_database = prepare_database(database_server, name=BENCH_DB)
    environment = server_environment(database_url, redis_url)
    status = 1
    with tempfile.TemporaryFile() as sandbox_log, tempfile.NamedTemporaryFile(
        prefix="api-load-gunicorn-", suffix=".log", delete=False
    ) as server_log:
        sandbox_process, sandbox_url = start_sandbox(sandbox_log)
        server = None
        try:
            started = time.monotonic()
            setup_django(environment)
            listener = import_demo_library(Sandbox(sandbox_url))
            seeded = seed_history(listener)
            server, port = start_gunicorn(args, environment, server_log)
            code, answer = call(port, "POST", "/api/me/library/sync", listener.token,
                                device_library_body(listener.track_ids))  # fmt: skip
            if code != 200:
                raise SystemExit(f"the device library sync answered {code}: {answer}")
            since = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            plan = endpoints(listener, since=since)
            describe(args, listener, seeded, plan, time.monotonic() - started)
            status = 1 if measure(args, port, server.pid, listener, plan) else 0
        finally:
            stop_all([p for p in (server, sandbox_process) if p is not None])
            try:
                forget_our_redis_keys()
                from django.db import connections

                connections.close_all()
            except Exception as exc:  # never hide the run's own outcome behind the clean-up's
                print(f"clean-up: {exc}", file=sys.stderr)
            if not args.keep_database:
                drop_database()
            server_log.seek(0)
            tail = server_log.read()[-4000:].decode(errors="replace")
            if status and tail.strip():
                print(f"\ngunicorn's log ({server_log.name}), last lines:\n{tail}", file=sys.stderr)
            elif not status:
                os.unlink(server_log.name)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
