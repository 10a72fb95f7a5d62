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

The set-up is bench/api_load_seed.py, the clients and their phases bench/api_load_clients.py;
this file starts the servers, runs the phases and prints the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api_load_clients import Endpoint, Tally, alone, endpoints, percentile, run_phase  # noqa: E402
from bench.api_load_seed import (  # noqa: E402
    Listener,
    device_library_body,
    forget_our_redis_keys,
    import_demo_library,
    seed_history,
    server_environment,
    setup_django,
)
from bench.import_library import Sandbox, prepare_database, start_sandbox  # noqa: E402
from tests.support.processes import free_port, stop_all, wait_for_http  # noqa: E402

BENCH_DB = "bench_apiload"
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
DEFAULT_REDIS_SERVER = "redis://127.0.0.1:6379"
REDIS_DB = 3  # the other benchmarks use 5, 6 and 7; the test suite 0
TARGET_P95_MS = 50.0


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
    wait_for_http(f"http://127.0.0.1:{port}/health", timeout=60, process=process)
    return process, port


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


# --- figures ----------------------------------------------------------------------------------------
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
