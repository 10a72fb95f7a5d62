"""Benchmark: one listener's script hammers every trigger endpoint for a minute; do the other
listeners' imports stay on time?

    .venv/bin/python bench/hammer.py [--seconds 60] [--threads 8] [--others 4] [--quick]

The product as deployed (config.settings.bench: the real throttle rates and regeneration
cooldown): gunicorn, one interactive and one bulk cluster process, PostgreSQL and Redis, 50 ms
on every Spotify request and LLM completion. First the other listeners sign in with nobody else
about (their import times alone); then the same sizes again (new listeners) while the script,
with the hammering listener's API token, calls every trigger endpoint from `--threads` threads
without pause: import, route, preview, ingest, insight generation and regeneration, device sync.

Prints the others' import times alone and under the hammering (target: at most 1.5 x), and the
hammering listener's answers per endpoint and status (429s are the throttles at work) with the
runs it really got queued. `--quick` (CI): 15 s; fails if an other listener's import failed, if
their median import took more than 4 x alone or the slowest more than 6 x, or if any hammered
request got a 5xx. (With two listeners over 15 s the slowest one's ratio is noisy: back to back on
one machine, one code measured it at 2.70 and 3.01, and the next at 2.82 to 4.63, so a bound of
3 x on it failed at random; the bounds catch a gross breach, the 1.5 x target is printed.)
"""

from __future__ import annotations

import argparse
import collections
import statistics
import subprocess
import sys
import threading
import time

import requests
from listeners_support import (
    ROOT,
    add_llm_provider,
    cluster_env,
    connect,
    scratch_folder,
    setup,
    start_clusters,
    start_servers,
    wait_until,
)

from tests.support.processes import free_port, stop_all, wait_for_http

SHAPE = [40, 30, 20]
FILTER = {"match": "all", "conditions": [{"field": "duration", "op": "between", "value": {"min": 180, "max": 300}}]}


def start_web(env: dict[str, str], folder) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "4", "--worker-class", "gthread", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_for_http(f"{url}/health", timeout=60, process=process)
    return process, url


def import_times(users, *, timeout: float = 900) -> dict[str, float]:
    """Ask for each user's import now (as a sign-in does); seconds from asking to its end."""
    from core.runs import FINISHED_STATUSES
    from sync.models import SyncEvent
    from sync.services.triggers import Trigger, request_import

    events = {user.username: request_import(user=user, trigger=Trigger.BUTTON)[0].pk for user in users}
    wait_until(
        lambda: SyncEvent.objects.filter(pk__in=events.values(), status__in=FINISHED_STATUSES).count() == len(events),
        timeout=timeout,
        what="the other listeners' imports",
    )
    times = {}
    for name, pk in events.items():
        event = SyncEvent.objects.get(pk=pk)
        if event.status != "succeeded":
            raise SystemExit(f"{name}'s import ended {event.status}: {event.error}")
        times[name] = (event.finished_at - event.created_at).total_seconds()
    return times


def prepare_hammerer(sandbox):
    """The hammering listener: imported, a base with one child, an API token (set-up, not counted)."""
    from accounts.selectors import list_api_tokens
    from accounts.services import create_api_token, revoke_api_tokens
    from library.models import Playlist
    from route_support import SpotifyHttp
    from routing.services.setup import add_child_playlist, create_base_playlist

    sandbox.control("POST", "users", {"id": "hammer", "playlists": SHAPE})
    user = connect(sandbox, "hammer")
    child = SpotifyHttp(sandbox.url, user.spotify_credential.access_token).create_playlist("Three to five minutes")
    import_times([user])  # on the cluster: this process does not talk to the sandbox
    biggest = Playlist.objects.filter(user=user).exclude(spotify_id=child).order_by("-items_total").first()
    base = create_base_playlist(user=user, playlist=biggest)
    add_child_playlist(base=base, spotify_id=child, name="Three to five minutes", mode="rebuild", filters=FILTER)
    # A token of its own each run (a secret is only known when made): the last run's goes.
    revoke_api_tokens(tokens=[t for t in list_api_tokens(user=user) if t.name == "bench hammer"])
    _, secret = create_api_token(user=user, name="bench hammer")
    return base.pk, secret


def hammer(url: str, token: str, base_id: int, *, seconds: float, threads: int) -> collections.Counter:
    """Every trigger endpoint, round and round from `threads` threads; answers by (endpoint, status)."""
    calls = [
        ("import", "POST", "/api/library/import/", None),
        ("route", "POST", f"/api/base-playlists/{base_id}/route", None),
        ("preview", "POST", f"/api/base-playlists/{base_id}/preview", {"filters": FILTER}),
        ("ingest", "POST", "/api/listening/ingest", None),
        ("insight", "POST", "/api/insights/generate", {"type": "wellness"}),
        ("regenerate", "POST", "/api/insights/1/regenerate", None),
        ("device sync", "POST", "/api/me/library/sync", {"favorites": []}),
    ]
    answers: collections.Counter = collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work(offset: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Token {token}"
        n = offset
        while time.monotonic() < deadline:
            name, method, path, body = calls[n % len(calls)]
            n += 1
            try:
                status = http.request(method, url + path, json=body, timeout=30).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            with lock:
                answers[(name, status)] += 1

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--others", type=int, default=4)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="CI-sized: 15 s, 2 other listeners")
    args = parser.parse_args()
    seconds, others = (15.0, 2) if args.quick else (args.seconds, args.others)
    _, drop, _ = setup(database="linernotes_bench_hammer", redis_db=7, settings_module="config.settings.bench")
    folder = scratch_folder()
    with open(folder / "servers.log", "wb+") as log:
        servers, sandbox, llm_url = start_servers(log)
        from tests.fixtures.llm_sandbox import LlmSandbox

        llm = LlmSandbox(url=llm_url)
        processes: list[subprocess.Popen] = []
        try:
            sandbox.control("POST", "faults", {"method": "*", "path": "/v1/*", "kind": "latency", "latency_ms": args.latency_ms, "count": 10**9})
            llm.fault(provider="*", kind="slow", latency_ms=args.latency_ms)
            add_llm_provider(llm.url)
            for group in ("alone", "hammered"):
                for n in range(others):
                    sandbox.control("POST", "users", {"id": f"{group}_{n:02d}", "playlists": SHAPE})
            env = cluster_env(sandbox=sandbox, llm_url=llm.url)
            processes = start_clusters(env, interactive=1, bulk=1, folder=folder)
            web, url = start_web(env, folder)
            processes.append(web)
            base_id, token = prepare_hammerer(sandbox)
            wait_until(_analyses_settled, timeout=900, what="the hammering listener's song analyses")
            alone = import_times([connect(sandbox, f"alone_{n:02d}") for n in range(others)])
            hammered_users = [connect(sandbox, f"hammered_{n:02d}") for n in range(others)]
            result: dict = {}
            hammering = threading.Thread(
                target=lambda: result.update(answers=hammer(url, token, base_id, seconds=seconds, threads=args.threads))
            )
            hammering.start()
            time.sleep(min(5.0, seconds / 3))  # the script is in full swing when the others sign in
            under = import_times(hammered_users)
            hammering.join()
            answers = result["answers"]
            queued = _runs_of("hammer")
        finally:
            stop_all(processes)
            stop_all(servers)
            drop()
    ratio = statistics.median(under.values()) / statistics.median(alone.values())
    worst = max(under.values()) / statistics.median(alone.values())
    print(f"\nhammer: one listener's script on every trigger endpoint for {seconds:.0f} s from {args.threads} threads; "
          f"{others} other listeners ({sum(SHAPE)} items each) sign in meanwhile; logs in {folder}")
    print(f"other listeners' imports: alone median {statistics.median(alone.values()):.2f} s; under the hammering "
          f"median {statistics.median(under.values()):.2f} s, worst {max(under.values()):.2f} s")
    print(f"ratio (median): {ratio:.2f}, worst/alone {worst:.2f} (target <= 1.5: {'met' if worst <= 1.5 else 'NOT met'})")
    endpoints = sorted({name for name, _ in answers})
    for name in endpoints:
        by_status = {status: count for (n, status), count in sorted(answers.items(), key=str) if n == name}
        print(f"  {name:>12}: " + ", ".join(f"{status} × {count}" for status, count in by_status.items()))
    print("runs the hammering listener got queued: " + ", ".join(f"{kind} {count}" for kind, count in queued.items()))
    server_errors = sum(count for (_, status), count in answers.items() if not isinstance(status, int) or status >= 500)
    if server_errors:
        print(f"{server_errors} hammered request(s) got a server error or no answer")
    if args.quick and (server_errors or ratio > 4 or worst > 6):
        return 1
    return 0


def _analyses_settled() -> bool:
    from analysis.models import AnalysisBatch
    from core.runs import ACTIVE_STATUSES

    return not AnalysisBatch.objects.filter(status__in=ACTIVE_STATUSES).exists()


def _runs_of(username: str) -> dict[str, int]:
    from insights.models import GeneratedInsight, ListeningIngest
    from routing.models import RouteRun
    from sync.models import SyncEvent

    return {
        "imports": SyncEvent.objects.filter(user__username=username).count(),
        "routes": RouteRun.objects.filter(user__username=username).count(),
        "ingests": ListeningIngest.objects.filter(user__username=username).count(),
        "insights": GeneratedInsight.objects.filter(user__username=username).count(),
    }


if __name__ == "__main__":
    sys.exit(main())
