"""Benchmark: many listeners importing, routing and analysing, on one process per cluster and
then on two (separate OS processes, as on separate hosts, sharing only PostgreSQL and Redis).

    .venv/bin/python bench/scale_out.py [--listeners 50] [--latency-ms 50] [--quick]

Each configuration starts from the same state: an empty database (flushed), the sandbox reset
and the same listeners created again (a few sizes, deterministic), a 50 ms latency on every
Spotify /v1 request and on every LLM completion. Its clusters are started, then every listener
asks for an import (interactive); once imports end, each attaches one child to their biggest
playlist and asks for a route (interactive); the imports queue the song analyses (bulk, fed
per listener). Measured: from the first request until every run and batch has ended.

Prints the throughput (runs ended per second) of each configuration and their ratio, and
checks that every run happened exactly once: every import, route and batch succeeded, each
batch counted each of its songs once, the sandbox served each playlist page the import needs once (its
request counts against the minimum), and the LLM answered one completion per analysed song.
Target: ratio >= 1.7, exactly once. `--quick` (CI): fewer, smaller listeners; it fails only
on a run not happening exactly once, or the two-process configuration not being faster.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

from listeners_support import (
    add_llm_provider,
    cluster_env,
    connect,
    create_listeners,
    scratch_folder,
    setup,
    start_clusters,
    start_servers,
    wait_until,
)

from tests.support.processes import stop_all



def item_pages_read(counters: dict) -> int:
    """The sandbox's count of playlist item pages served (its routes are named by template)."""
    return sum(
        count
        for route, count in counters["by_route"].items()
        if route.startswith("GET /v1/playlists/") and route.endswith(("/items", "/tracks"))
    )
CHILD_FILTER = {"match": "all", "conditions": [{"field": "duration", "op": "between", "value": {"min": 180, "max": 300}}]}


@dataclass
class Outcome:
    processes: int
    seconds: float
    imports: int
    routes: int
    batches: int
    analysed: int
    problems: list[str]

    @property
    def runs(self) -> int:
        return self.imports + self.routes + self.batches

    @property
    def throughput(self) -> float:
        return self.runs / self.seconds


def sizes_for(count: int, *, quick: bool) -> list[list[int]]:
    """A few sizes, in turn: small, medium, large libraries."""
    shapes = ([[12], [20, 15], [40, 25]] if quick else [[20, 10], [50, 40, 30], [120, 80, 60, 40]])
    return [shapes[n % len(shapes)] for n in range(count)]


def fresh_state(sandbox, llm, *, sizes: list[list[int]], latency_ms: int, llm_latency_ms: int) -> list[dict]:
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    sandbox.control("POST", "reset")
    llm.reset()
    listeners = create_listeners(sandbox, sizes, prefix="scale")
    sandbox.control(
        "POST", "faults", {"method": "*", "path": "/v1/*", "kind": "latency", "latency_ms": latency_ms, "count": 10**9}
    )
    llm.fault(provider="*", kind="slow", latency_ms=llm_latency_ms)
    return listeners


def minimum_item_pages(listeners: list[dict]) -> int:
    """Item pages an import of every listener needs: ceil(n / 50) per non-empty playlist."""
    return sum(math.ceil(size / 50) for listener in listeners for size in listener["sizes"])


def run(
    sandbox, llm, *, listeners_count: int, per_cluster: int, latency_ms: int, llm_latency_ms: int, quick: bool, folder
) -> Outcome:
    from analysis.models import AnalysisBatch, SongAnalysis
    from analysis.services.analysis import PURPOSE
    from llm.models import CallOutcome, LLMCall
    from core.runs import ACTIVE_STATUSES, FINISHED_STATUSES, RunStatus
    from library.models import Playlist
    from route_support import SpotifyHttp
    from routing.models import RouteRun
    from routing.services.setup import add_child_playlist, create_base_playlist
    from routing.services.triggers import request_route
    from sync.models import SyncEvent
    from sync.services.triggers import Trigger, request_import

    sizes = sizes_for(listeners_count, quick=quick)
    listeners = fresh_state(sandbox, llm, sizes=sizes, latency_ms=latency_ms, llm_latency_ms=llm_latency_ms)
    for listener, shape in zip(listeners, sizes, strict=True):
        listener["sizes"] = shape
    add_llm_provider(llm.url)
    users, children = [], {}
    for listener in listeners:
        user = connect(sandbox, listener["id"])
        token = user.spotify_credential.access_token
        children[user.pk] = SpotifyHttp(sandbox.url, token).create_playlist("Three to five minutes")  # set-up
        users.append(user)
    env = cluster_env(sandbox=sandbox, llm_url=llm.url, ANALYSIS_BATCH_SIZE="10")
    processes = start_clusters(env, interactive=per_cluster, bulk=per_cluster, folder=folder)
    problems: list[str] = []
    try:
        sandbox.control("DELETE", "counters")
        llm.clear_counters()
        started = time.monotonic()
        for user in users:
            request_import(user=user, trigger=Trigger.BUTTON)
        wait_until(
            lambda: SyncEvent.objects.filter(status__in=FINISHED_STATUSES).count() == len(users),
            timeout=1800,
            what="the imports",
        )
        item_pages = item_pages_read(sandbox.control("GET", "counters"))
        for user in users:
            biggest = Playlist.objects.filter(user=user).exclude(spotify_id=children[user.pk]).order_by("-items_total").first()
            base = create_base_playlist(user=user, playlist=biggest)
            add_child_playlist(base=base, spotify_id=children[user.pk], name="Three to five minutes", mode="rebuild", filters=CHILD_FILTER)
            request_route(base=base, trigger="bench")

        def settled() -> bool:
            routes_done = RouteRun.objects.filter(status__in=FINISHED_STATUSES).count() == len(users)
            batches_active = AnalysisBatch.objects.filter(status__in=ACTIVE_STATUSES).exists()
            return routes_done and not batches_active and AnalysisBatch.objects.exists()

        wait_until(settled, timeout=3600, what="the routes and the song analyses")
        seconds = time.monotonic() - started
    finally:
        stop_all(processes)

    imports = list(SyncEvent.objects.all())
    routes = list(RouteRun.objects.all())
    batches = list(AnalysisBatch.objects.all())
    analysed = SongAnalysis.objects.count()
    # Answers used: a repair of an invalid answer is a call of its own, so count the good ones.
    answered = LLMCall.objects.filter(purpose=PURPOSE, outcome=CallOutcome.OK).count()
    for kind, rows in (("import", imports), ("route", routes), ("analysis batch", batches)):
        bad = [(row.pk, row.status, row.error[:80]) for row in rows if row.status != RunStatus.SUCCEEDED]
        if bad:
            problems.append(f"{len(bad)} {kind}(s) did not succeed: {bad[:3]}")
    if len(imports) != len(users) or len(routes) != len(users):
        problems.append(f"{len(imports)} imports and {len(routes)} routes for {len(users)} listeners")
    # A batch may be claimed several times (it gives its worker to other listeners between
    # songs); what must happen once is each song: counted once by its batch, answered once.
    counted = sum(batch.analysed + batch.skipped for batch in batches)
    tracks_in_batches = sum(batch.track_total for batch in batches)
    if counted != tracks_in_batches:
        problems.append(f"the batches counted {counted} songs for {tracks_in_batches} queued")
    needed = minimum_item_pages(listeners)
    if item_pages != needed:
        problems.append(f"the imports read {item_pages} item pages; each once would be {needed}")
    if answered != analysed:
        problems.append(f"{answered} usable LLM answers for {analysed} analysed songs")
    return Outcome(
        processes=per_cluster,
        seconds=seconds,
        imports=len(imports),
        routes=len(routes),
        batches=len(batches),
        analysed=analysed,
        problems=problems,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listeners", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=50, help="on every Spotify /v1 request")
    parser.add_argument(
        "--llm-latency-ms", type=int, default=None, help="on every LLM completion (default: --latency-ms)"
    )
    parser.add_argument("--quick", action="store_true", help="CI-sized: 8 small listeners")
    args = parser.parse_args()
    count = 8 if args.quick else args.listeners
    if args.quick:
        # A short run on a CI machine: more waiting on the far side, so its figure is the
        # concurrency's and not the machine's load.
        args.latency_ms = max(args.latency_ms, 100)
    _, drop, _ = setup(database="linernotes_bench_scale", redis_db=5)
    folder = scratch_folder()
    with open(folder / "servers.log", "wb+") as log:
        servers, sandbox, llm_url = start_servers(log)
        from tests.fixtures.llm_sandbox import LlmSandbox

        llm = LlmSandbox(url=llm_url)
        try:
            outcomes = [
                run(
                    sandbox, llm, listeners_count=count, per_cluster=n, latency_ms=args.latency_ms,
                    llm_latency_ms=args.llm_latency_ms if args.llm_latency_ms is not None else args.latency_ms,
                    quick=args.quick, folder=folder,
                )
                for n in (1, 2)
            ]
        finally:
            stop_all(servers)
            drop()
    llm_ms = args.llm_latency_ms if args.llm_latency_ms is not None else args.latency_ms
    print(f"\nscale-out: {count} listeners, {args.latency_ms} ms per Spotify request, {llm_ms} ms per LLM completion; logs in {folder}")
    print(f"{'processes per cluster':>22} {'seconds':>8} {'imports':>8} {'routes':>7} {'batches':>8} {'songs':>6} {'runs/s':>7}")
    for o in outcomes:
        print(f"{o.processes:>22} {o.seconds:>8.1f} {o.imports:>8} {o.routes:>7} {o.batches:>8} {o.analysed:>6} {o.throughput:>7.2f}")
    ratio = outcomes[1].throughput / outcomes[0].throughput
    exactly_once = not any(o.problems for o in outcomes)
    print(f"ratio two/one: {ratio:.2f} (target >= 1.7: {'met' if ratio >= 1.7 else 'NOT met'})")
    print(f"exactly once: {'yes' if exactly_once else 'NO'}")
    for o in outcomes:
        for problem in o.problems:
            print(f"  {o.processes} per cluster: {problem}")
    if not exactly_once:
        return 1
    if args.quick and ratio <= 1.0:
        print("two processes per cluster were not faster than one")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
