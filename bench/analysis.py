"""Benchmark: analyse 1,000 tracks through the LLM router, the primary killed after 300 answers.

    .venv/bin/python bench/analysis.py [--tracks 1000] [--kill-after 300] [--threads 2]
                                       [--lyrics-errors 0] [--local-tracks 50] [--skip-local]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/analysis.py

Starts its own LLM sandbox and uses a throwaway database: a temporary SQLite file, or with
DATABASE_URL a PostgreSQL database of its own, `linernotes_bench_analysis`, created, migrated
and dropped here. The tracks are drawn from the sandbox catalog (seed 1, scale 1) and written
to the mirror, so the sandbox's LRCLIB has their lyrics. Two providers: `primary` (RunPod
/runsync, priority 10) and `fallback` (Ollama /api/chat, priority 20). The tracks run through
`analysis.services.batches.run_batch` (what the analyse_batch task runs), one batch per thread;
once the primary has answered --kill-after times a `down` fault closes its every connection.
Prints LLM calls against unique tracks, the fail-over latency, analyses lost, throughput, a
repeat run that must make no call; then SmolLM2-135M (llama.cpp's server, the only provider
enabled) on --local-tracks other tracks: per-call latency, JSON validity, tokens.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import pathlib
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.analysis_support import (  # noqa: E402
    CallLog,
    _ms,
    answering_calls,
    bench_local,
    mirror_catalog_tracks,
)
from bench.import_library import _target, prepare_database, setup_django  # noqa: E402
from tests.fixtures.llm_sandbox import LlmSandbox, start_llm_sandbox, stop_llm_sandbox  # noqa: E402

BENCH_DB = "linernotes_bench_analysis"
PRIMARY, FALLBACK = "primary", "fallback"
FAILOVER_TARGET_MS = 1000
CALL_RATIO_TARGET = 1.01


@dataclass
class Pass:
    label: str
    tracks: int
    wall: float
    started: float  # time.time()
    ended: float
    counts: dict[str, int]  # analysed / skipped / deferred / failed over its batches
    statuses: collections.Counter


def run_pass(track_ids: list[str], *, threads: int, label: str) -> Pass:
    """The tracks as `threads` batches (interleaved), each run by run_batch in its own thread."""
    from django.db import connection

    from analysis.models import AnalysisBatch, AnalysisBatchTrack
    from analysis.services.analysis import PROMPT_VERSION
    from analysis.services.batches import run_batch

    chunks = [c for c in (track_ids[i::threads] for i in range(threads)) if c]
    batch_ids = []
    for chunk in chunks:
        batch = AnalysisBatch.objects.create(prompt_version=PROMPT_VERSION, track_total=len(chunk))
        AnalysisBatchTrack.objects.bulk_create(
            AnalysisBatchTrack(batch=batch, track_id=t, position=n) for n, t in enumerate(chunk)
        )
        batch_ids.append(batch.pk)

    def work(batch_id: int) -> None:
        try:
            run_batch(batch_id=batch_id)
        finally:
            connection.close()  # this thread's own connection

    started, clock = time.time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(batch_ids)) as pool:
        for future in [pool.submit(work, b) for b in batch_ids]:
            future.result()
    wall, ended = time.perf_counter() - clock, time.time()
    batches = list(AnalysisBatch.objects.filter(pk__in=batch_ids))
    counts = {k: sum(getattr(b, k) for b in batches) for k in ("analysed", "skipped", "deferred", "failed")}
    return Pass(
        label, len(track_ids), wall, started, ended, counts, collections.Counter(b.status for b in batches)
    )


def missing_analyses(track_ids: list[str]) -> list[str]:
    from analysis.models import SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION

    done = set(SongAnalysis.objects.filter(prompt_version=PROMPT_VERSION).values_list("track_id", flat=True))
    return [t for t in track_ids if t not in done]


def llm_calls_by(provider: str, *, since_id: int = 0) -> collections.Counter:
    from llm.models import LLMCall

    rows = LLMCall.objects.filter(provider_name=provider, id__gt=since_id).values_list("outcome", flat=True)
    return collections.Counter(rows)


# --- part 1: fail-over under load -------------------------------------------------------------
def bench_failover(
    sandbox: LlmSandbox, log: CallLog, track_ids: list[str], args
) -> tuple[list[str], list[str]]:
    from django.db import connection
    from django.db.models import Max

    from analysis.models import SongAnalysis
    from llm.models import LLMCall, Provider, ProviderKind

    Provider.objects.create(
        name=PRIMARY, kind=ProviderKind.RUNPOD, base_url=sandbox.runpod_url(PRIMARY, "bench-endpoint"),
        model="llama-3.1-70b-instruct", priority=10, connect_timeout=2, read_timeout=10, max_tokens=512,
    )  # fmt: skip
    Provider.objects.create(
        name=FALLBACK, kind=ProviderKind.OLLAMA, base_url=sandbox.ollama_url(FALLBACK),
        model="llama3.1:8b", priority=20, connect_timeout=2, read_timeout=10, max_tokens=512,
    )  # fmt: skip
    sandbox.reset()
    if args.lyrics_errors:
        sandbox.fault(provider="lrclib", kind="status", status=500, count=args.lyrics_errors)
    log.watch, log.kill_after = PRIMARY, args.kill_after
    log.on_kill = lambda: sandbox.fault(provider=PRIMARY, kind="down")

    first = run_pass(track_ids, threads=args.threads, label="1 all tracks, primary killed")
    counters = sandbox.counters()
    lost_first = missing_analyses(track_ids)
    second = (
        run_pass(lost_first, threads=args.threads, label="2 the tracks without analysis")
        if lost_first
        else None
    )
    if second:
        counters = sandbox.counters()  # passes 1 and 2 together
    lost = missing_analyses(track_ids)

    primary_status = counters["by_provider_status"].get(PRIMARY, {})
    calls = {p: answering_calls(counters, p) for p in (PRIMARY, FALLBACK)}
    total_calls = sum(calls.values())
    ratio = total_calls / len(track_ids)
    failover = log.failover(dead=PRIMARY, to=FALLBACK)
    rows = {p: llm_calls_by(p) for p in (PRIMARY, FALLBACK)}
    from_rows = failover_from_rows()

    # The dedup check: the same tracks again make no LLM call.
    sandbox.clear_counters()
    last_call = LLMCall.objects.aggregate(m=Max("id"))["m"] or 0
    repeat = run_pass(track_ids, threads=args.threads, label="3 the same tracks again")
    repeat_counters = sandbox.counters()
    repeat_calls = sum(answering_calls(repeat_counters, p) for p in (PRIMARY, FALLBACK))
    repeat_rows = LLMCall.objects.filter(id__gt=last_call).count()

    killed = log.killed_wall
    before = (
        SongAnalysis.objects.filter(created_at__lt=_aware(killed)).count()
        if killed
        else first.counts["analysed"]
    )
    after = first.counts["analysed"] - before if killed else 0
    kill_s = (killed - first.started) if killed else first.wall

    lines = [
        "",
        f"== fail-over on {connection.vendor}: {len(track_ids)} tracks, {args.threads} thread(s) "
        f"(one run_batch each), primary RunPod /runsync killed (`down`) after {args.kill_after} answers, "
        f"fallback Ollama /api/chat ==",
        (
            f"lyrics: {args.lyrics_errors} LRCLIB look-up(s) answered 500 (deferred, retried by pass 2)"
            if args.lyrics_errors
            else "lyrics: no LRCLIB fault"
        ),  # fmt: skip
        "",
        f"{'pass':<34}{'tracks':>7}{'analysed':>9}{'skipped':>8}{'deferred':>9}{'failed':>7}{'wall s':>8}"
        f"{'per s':>7}{'batches':>18}",
    ]
    for run in (first, second, repeat):
        if run is None:
            lines.append(f"{'2 (nothing to retry)':<34}")
            continue
        c = run.counts
        lines.append(
            f"{run.label:<34}{run.tracks:>7}{c['analysed']:>9}{c['skipped']:>8}{c['deferred']:>9}{c['failed']:>7}"
            f"{run.wall:>8.2f}{c['analysed'] / run.wall:>7.1f}{_statuses(run.statuses):>18}"
        )
    primary_answers_at_kill = log.answers(PRIMARY, after=None) - log.answers(
        PRIMARY, after=log.killed_at or 0
    )
    lines += [
        "",
        "LLM calls (sandbox counters, completion routes; passes 1 and 2):",
        f"  primary : {calls[PRIMARY]} requests, by status {dict(primary_status)}; "
        f"answers up to the kill {primary_answers_at_kill}, after it (in flight while the fault went in) "
        f"{log.answers(PRIMARY, after=log.killed_at) if log.killed_at else 0}",
        f"  fallback: {calls[FALLBACK]} requests, by status {dict(counters['by_provider_status'].get(FALLBACK, {}))}",
        f"  LLMCall rows: primary {dict(rows[PRIMARY])}, fallback {dict(rows[FALLBACK])}",
        f"  lyrics: {counters['by_provider'].get('lrclib', 0)} LRCLIB requests",
        f"  {total_calls} calls for {len(track_ids)} unique tracks = {ratio:.4f} per track "
        f"({first.counts['analysed'] + (second.counts['analysed'] if second else 0)} analysed + "
        f"{primary_status.get('0', 0)} failed on the dead primary)",
    ]
    if failover:
        lines += [
            "fail-over (a clock around every provider call):",
            f"  first failed call to the primary: {failover['failed_call_ms']:.1f} ms ({failover['error']}); "
            f"{failover['failed_calls']} failed call(s) in all",
            f"  from its start to the fallback's first answer: {failover['to_first_answer_ms']:.1f} ms "
            f"(gap between the calls {failover['gap_ms']:.1f} ms: circuit opened, call recorded; "
            f"the answer itself {failover['answer_ms']:.1f} ms)",
            f"  within the request that met the dead primary: {failover['same_request_ms']:.1f} ms",
            f"  from the LLMCall rows (first unavailable row's start to the first fallback row): {from_rows}",
        ]
    else:
        lines.append("fail-over: the primary never failed (fewer tracks than --kill-after?)")
    per_s_before = before / kill_s if kill_s > 0 else 0.0
    per_s_after = after / (first.ended - killed) if killed and first.ended > killed else 0.0
    lines += [
        f"throughput, pass 1: {first.counts['analysed'] / first.wall:.1f} analyses/s overall; "
        f"{per_s_before:.1f}/s before the kill ({before} in {kill_s:.2f} s), "
        f"{per_s_after:.1f}/s after it ({after} in {(first.ended - killed) if killed else 0:.2f} s)",
        f"analyses lost: {len(lost_first)} after pass 1, {len(lost)} after pass 2",
        f"repeat run: {repeat_calls} LLM requests at the sandbox, {repeat_rows} LLMCall rows, "
        f"{repeat.counts['skipped']} of {len(track_ids)} skipped",
        "",
        "targets:",
        _target(f"analyses lost == 0 (after pass 2: {len(lost)}; after pass 1: {len(lost_first)})", not lost),
        _target(
            f"fail-over < {FAILOVER_TARGET_MS} ms from the first failed call to the fallback's first answer "
            f"({failover['to_first_answer_ms']:.1f} ms)"
            if failover
            else "fail-over measured (it was not)",
            bool(
                failover
                and failover["to_first_answer_ms"] is not None
                and failover["to_first_answer_ms"] < FAILOVER_TARGET_MS
            ),
        ),  # fmt: skip
        _target(
            f"LLM calls / unique tracks <= {CALL_RATIO_TARGET} ({ratio:.4f})", ratio <= CALL_RATIO_TARGET
        ),
        _target(
            f"the same tracks again make 0 LLM calls ({repeat_calls})", repeat_calls == 0 and repeat_rows == 0
        ),
    ]
    summary = [
        f"  analyses lost (final)          {len(lost):>10}",
        f"  fail-over latency              {_ms(failover and failover['to_first_answer_ms']):>10}",
        f"  LLM calls / unique tracks      {ratio:>10.4f}",
        f"  throughput, analyses/s         {first.counts['analysed'] / first.wall:>10.1f}"
        f"  (before kill {per_s_before:.1f}, after {per_s_after:.1f})",
        f"  repeat run LLM calls           {repeat_calls:>10}",
    ]
    return lines, summary


def failover_from_rows() -> str:
    from llm.models import CallOutcome, LLMCall

    dead = (
        LLMCall.objects.filter(provider_name=PRIMARY, outcome=CallOutcome.UNAVAILABLE).order_by("id").first()
    )
    if dead is None:
        return "no failed row"
    started = dead.created_at.timestamp() - dead.latency_ms / 1000
    answer = (
        LLMCall.objects.filter(provider_name=FALLBACK, outcome=CallOutcome.OK, id__gt=dead.id)
        .order_by("id")
        .first()
    )
    if answer is None:
        return "no fallback answer after it"
    return f"{1000 * (answer.created_at.timestamp() - started):.1f} ms (row clocks, ms resolution)"


def _statuses(counter: collections.Counter) -> str:
    return ",".join(f"{n} {status}" for status, n in sorted(counter.items()))


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=1000, help="distinct catalog tracks analysed")
    parser.add_argument("--kill-after", type=int, default=300, help="primary answers before it goes down")
    parser.add_argument("--threads", type=int, default=2, help="batches run at once (Q_WORKERS' default: 2)")
    parser.add_argument("--lyrics-errors", type=int, default=0, help="LRCLIB look-ups that answer 500")
    parser.add_argument("--local-tracks", type=int, default=50, help="tracks for the local SmolLM2 part")
    parser.add_argument("--skip-local", action="store_true", help="leave out the local SmolLM2 part")
    args = parser.parse_args()
    if args.threads < 1 or args.tracks < 1:
        raise SystemExit("--threads and --tracks must be at least 1")
    database_url, drop_database = prepare_database(os.environ.get("DATABASE_URL"), name=BENCH_DB)
    with tempfile.TemporaryFile() as sandbox_log, tempfile.TemporaryFile() as local_log:
        process, sandbox = start_llm_sandbox(sandbox_log)
        try:
            setup_django(database_url)
            from django.conf import settings
            from django.core.management import call_command

            call_command("createcachetable", verbosity=0)  # the lyrics cache without REDIS_URL
            settings.LYRICS_API_URL = sandbox.lrclib_url
            # A warning per fail-over or unusable answer would drown the figures; they are counted.
            for name in ("llm", "analysis"):
                logging.getLogger(name).setLevel(logging.ERROR)
            local_count = 0 if args.skip_local else args.local_tracks
            ids = mirror_catalog_tracks(count=args.tracks + local_count)
            log = CallLog()
            log.install()
            lines, summary = bench_failover(sandbox, log, ids[: args.tracks], args)
            print("\n".join(lines), flush=True)
            if args.skip_local:
                summary.append("  local SmolLM2                  skipped (--skip-local)")
            else:
                log.watch = ""  # no kill in this part
                local_lines, local_summary = bench_local(ids[args.tracks :], local_log)
                print("\n".join(local_lines), flush=True)
                summary += local_summary
            print("\n".join(["", "summary:", *summary]), flush=True)
            errors = sandbox.health()["internal_errors"]
            if errors:
                print(f"\nthe LLM sandbox hit {len(errors)} internal error(s): {errors[:3]}")
        finally:
            stop_llm_sandbox(process)
            from django.db import connections

            connections.close_all()
            drop_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
