"""Benchmark: one listener with a 50,000-track library signs in together with 9 small ones.

    .venv/bin/python bench/fairness.py [--big 50000] [--small 9] [--latency-ms 50] [--quick]

The small listeners are first measured without the big one (an empty database, the sandbox
reset, only they signing in together: "alone"), then all sign in together, the big one first; then once more with the big
listener's import already ended and its analysis backlog (2,500 batches) queued before the small
ones sign in, the harder case for the fair queue. For each small listener it
prints the time from sign-in to its completed import and to its first analysed song, together
against alone, and how many of the big listener's analysis batches ended before that first
song. Target: together <= 1.5 x alone. The big library's own analysis (2,500 batches) is not
waited for: the benchmark ends when every small listener has its first analysed song.

One process per cluster (interactive and bulk, 2 workers each), PostgreSQL and Redis, 50 ms on
every Spotify request and LLM completion. `--quick` (CI): a 3,000-track big library and three
small listeners; it fails if a small listener's first song waited for more of the big
listener's batches than the bulk workers plus the listener's allowance (the fair queue's bound).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

from listeners_support import (
    add_llm_provider,
    cluster_env,
    connect,
    scratch_folder,
    setup,
    start_clusters,
    start_servers,
    wait_until,
)

from tests.support.processes import stop_all

SMALL_SHAPE = [40, 30, 20]
BULK_WORKERS = 2


@dataclass
class Times:
    imported: float  # sign-in → import succeeded
    first_song: float  # sign-in → first analysed song of theirs
    big_batches_before: int  # the big listener's batches ended before that first song


def big_shape(tracks: int) -> list[int]:
    """The big library as playlists of at most 5,000 items (the sandbox's cap is 10,000)."""
    sizes = [5000] * (tracks // 5000)
    return sizes + ([tracks % 5000] if tracks % 5000 else [])


def fresh(sandbox, llm, *, latency_ms: int) -> None:
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    sandbox.control("POST", "reset")
    llm.reset()
    sandbox.control(
        "POST", "faults", {"method": "*", "path": "/v1/*", "kind": "latency", "latency_ms": latency_ms, "count": 10**9}
    )
    llm.fault(provider="*", kind="slow", latency_ms=latency_ms)


def measure(
    sandbox, llm, *, small: list[str], big: str | None, shapes: dict[str, list[int]], latency_ms: int, folder,
    backlog_first: bool = False,
) -> dict[str, Times]:
    """Sign in `big` (if any) then every one of `small` (with `backlog_first`, once the big
    import has ended and its analysis backlog is queued); each small listener's times, from
    their own sign-in."""
    from django.utils import timezone

    from analysis.models import AnalysisBatch, SongAnalysis
    from core.runs import RunStatus
    from library.models import PlaylistItem
    from sync.models import SyncEvent
    from sync.services.triggers import Trigger, request_import

    fresh(sandbox, llm, latency_ms=latency_ms)
    order = ([big] if big else []) + small
    for spotify_id in order:
        sandbox.control("POST", "users", {"id": spotify_id, "playlists": shapes[spotify_id]})
    add_llm_provider(llm.url)
    users = {spotify_id: connect(sandbox, spotify_id) for spotify_id in order}
    env = cluster_env(sandbox=sandbox, llm_url=llm.url, Q_WORKERS="2", Q_BULK_WORKERS=str(BULK_WORKERS))
    processes = start_clusters(env, interactive=1, bulk=1, folder=folder)
    imported: dict[str, float] = {}
    first_song: dict[str, float] = {}
    before: dict[str, int] = {}
    try:
        if big and backlog_first:
            request_import(user=users[big], trigger=Trigger.BUTTON)
            wait_until(
                lambda: AnalysisBatch.objects.filter(user=users[big]).exists(), timeout=1800, what="the big import"
            )
        started, signed_in_at = time.monotonic(), timezone.now()
        for spotify_id in order if not backlog_first else small:
            request_import(user=users[spotify_id], trigger=Trigger.BUTTON)

        def progress() -> bool:
            now = time.monotonic() - started
            for spotify_id in small:
                user = users[spotify_id]
                if spotify_id not in imported and SyncEvent.objects.filter(user=user, status=RunStatus.SUCCEEDED).exists():
                    imported[spotify_id] = now
                if spotify_id not in first_song:
                    theirs = PlaylistItem.objects.filter(playlist__user=user).values("track_id")
                    if SongAnalysis.objects.filter(track_id__in=theirs).exists():
                        first_song[spotify_id] = now
                        before[spotify_id] = (
                            AnalysisBatch.objects.filter(
                                user=users[big], status=RunStatus.SUCCEEDED, finished_at__gte=signed_in_at
                            ).count()
                            if big
                            else 0
                        )
            failed = SyncEvent.objects.filter(status=RunStatus.FAILED).values_list("error", flat=True).first()
            if failed:
                raise SystemExit(f"an import failed: {failed}")
            return len(imported) == len(first_song) == len(small)

        wait_until(progress, timeout=1800, what="every small listener's import and first analysed song", poll=0.1)
    finally:
        stop_all(processes)
    return {s: Times(imported=imported[s], first_song=first_song[s], big_batches_before=before[s]) for s in small}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=int, default=50_000, help="tracks in the big library")
    parser.add_argument("--small", type=int, default=9)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="CI-sized: 3,000 tracks and 3 small listeners")
    args = parser.parse_args()
    big_tracks, small_count = (3000, 3) if args.quick else (args.big, args.small)
    small = [f"small_{n:02d}" for n in range(small_count)]
    shapes = {"big_library": big_shape(big_tracks), **{s: SMALL_SHAPE for s in small}}
    _, drop, _ = setup(database="linernotes_bench_fairness", redis_db=6)
    folder = scratch_folder()
    # A catalog big enough for the big library's tracks to be distinct (38,880 tracks at scale 1).
    scale = str(max(1.0, round(big_tracks / 30_000, 1)))
    with open(folder / "servers.log", "wb+") as log:
        servers, sandbox, llm_url = start_servers(log, sandbox_args=("--scale", scale))
        from tests.fixtures.llm_sandbox import LlmSandbox

        llm = LlmSandbox(url=llm_url)
        try:
            # "Alone": the same small listeners signing in together without the big library, so the
            # ratio is the big library's cost to them (on 2 interactive workers nine imports at
            # once queue behind each other whatever else runs).
            alone = measure(sandbox, llm, small=small, big=None, shapes=shapes, latency_ms=args.latency_ms, folder=folder)
            together = measure(sandbox, llm, small=small, big="big_library", shapes=shapes, latency_ms=args.latency_ms, folder=folder)
            after_backlog = measure(
                sandbox, llm, small=small, big="big_library", shapes=shapes, latency_ms=args.latency_ms,
                folder=folder, backlog_first=True,
            )
        finally:
            stop_all(servers)
            drop()
    print(f"\nfairness: a {big_tracks:,}-track listener and {small_count} small ones ({sum(SMALL_SHAPE)} items each) "
          f"signing in together; {args.latency_ms} ms per Spotify request and LLM completion; logs in {folder}")
    print("alone = the same small listeners signing in without the big library")
    print(f"{'listener':>10} {'import alone':>13} {'together':>9} {'ratio':>6} {'1st song alone':>15} {'together':>9} {'ratio':>6} {'big batches before':>19}")
    import_ratios, song_ratios = [], []
    for s in small:
        a, t = alone[s], together[s]
        import_ratios.append(t.imported / a.imported)
        song_ratios.append(t.first_song / a.first_song)
        print(f"{s:>10} {a.imported:>12.1f}s {t.imported:>8.1f}s {import_ratios[-1]:>6.2f} {a.first_song:>14.1f}s "
              f"{t.first_song:>8.1f}s {song_ratios[-1]:>6.2f} {t.big_batches_before:>19}")
    print("\nafter the big library's backlog is queued (it signed in first; its import had ended):")
    for s in small:
        a, t = alone[s], after_backlog[s]
        import_ratios.append(t.imported / a.imported)
        song_ratios.append(t.first_song / a.first_song)
        print(f"{s:>10} {a.imported:>12.1f}s {t.imported:>8.1f}s {import_ratios[-1]:>6.2f} {a.first_song:>14.1f}s "
              f"{t.first_song:>8.1f}s {song_ratios[-1]:>6.2f} {t.big_batches_before:>19}")
    worst = max(import_ratios + song_ratios)
    print(f"median ratio: import {statistics.median(import_ratios):.2f}, first song {statistics.median(song_ratios):.2f}; "
          f"worst {worst:.2f} (target <= 1.5: {'met' if worst <= 1.5 else 'NOT met'})")
    from django.conf import settings

    bound = BULK_WORKERS + settings.ANALYSIS_BATCHES_PER_LISTENER
    waited = max(run[s].big_batches_before for run in (together, after_backlog) for s in small)
    print(f"most big-library batches ended before a small listener's first song: {waited} (fair-queue bound {bound})")
    if args.quick and waited > bound:
        print("a small listener waited behind more of the big library than the fair queue allows")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
