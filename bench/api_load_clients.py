"""bench/api_load.py's load: the endpoints each client takes in turn, the clients (threads in a
few processes, so that one Python process's scheduling does not show in the latencies), a
phase of them, each endpoint alone, and the CPU gunicorn's workers spend meanwhile."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import pathlib
import threading
import time
from dataclasses import dataclass, field

from bench.api_load_seed import Listener


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


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]
