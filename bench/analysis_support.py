"""Helpers of bench/analysis.py: the catalog mirrored as our rows, a clock around every provider
call (which also kills the primary at the chosen moment), and the part that runs the real local
LLM server (SmolLM2-135M behind llama.cpp) as the only provider."""

from __future__ import annotations

import collections
import importlib.util
import math
import os
import pathlib
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from tests.fixtures.local_llm import stop_local_llm
from tests.support.processes import free_port

ROOT = pathlib.Path(__file__).resolve().parents[1]
LOCAL_START_TIMEOUT = 90.0
LOCAL = "local-smollm2"


# --- the mirror: catalog tracks the LLM sandbox has lyrics for ------------------------------
def mirror_catalog_tracks(*, count: int, sample_seed: int = 7) -> list[str]:
    """`count` distinct tracks of the sandbox catalog (seed 1, scale 1: what the LLM sandbox's
    LRCLIB covers), drawn at random, written as Artist/Album/Track/credit rows. Returns their ids
    in the drawn order."""
    from library.models import Album, Artist, Track, TrackArtist
    from sandbox.catalog import build_catalog

    catalog = build_catalog(seed=1, scale=1.0)
    picked = [catalog.tracks[i] for i in random.Random(sample_seed).sample(range(len(catalog.tracks)), count)]
    artist_ix = sorted({a for t in picked for a in t.artists})
    album_ix = sorted({t.album for t in picked})
    Artist.objects.bulk_create(
        [Artist(spotify_id=catalog.artists[i].id, name=catalog.artists[i].name) for i in artist_ix],
        batch_size=500,
    )
    albums = [catalog.albums[i] for i in album_ix]
    Album.objects.bulk_create(
        [
            Album(
                spotify_id=a.id,
                name=a.name,
                album_type=a.album_type,
                release_date=a.release_date,
                release_date_precision=a.release_date_precision,
                release_year=int(a.release_date[:4]) if a.release_date[:4].isdigit() else None,
            )
            for a in albums
        ],
        batch_size=500,
    )
    Track.objects.bulk_create(
        [
            Track(
                spotify_id=t.id,
                name=t.name,
                duration_ms=t.duration_ms,
                explicit=t.explicit,
                isrc=t.isrc,
                album_id=catalog.albums[t.album].id,
            )
            for t in picked
        ],
        batch_size=500,
    )
    TrackArtist.objects.bulk_create(
        [
            TrackArtist(track_id=t.id, artist_id=catalog.artists[a].id, position=position)
            for t in picked
            for position, a in enumerate(dict.fromkeys(t.artists))
        ],
        batch_size=500,
    )
    return [t.id for t in picked]


# --- a clock around every provider call --------------------------------------------------------
@dataclass
class Call:
    provider: str
    started: float  # time.monotonic()
    ended: float
    ok: bool  # an HTTP answer came back (valid or not); False: the call raised
    thread: int
    error: str = ""


@dataclass
class CallLog:
    """Wraps `llm.services.router.complete` (one HTTP call to one provider). When the provider
    `watch` has answered `kill_after` times, `on_kill` runs before that answer is handed back,
    so the next call to it finds it dead (threads already waiting on it may still be answered)."""

    watch: str = ""
    kill_after: int = 0
    on_kill: Callable[[], None] | None = None
    calls: list[Call] = field(default_factory=list)
    killed_at: float | None = None  # monotonic
    killed_wall: float | None = None  # time.time()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        from llm.services import router

        original = router.complete

        def timed(*, config, **kwargs):
            started = time.monotonic()
            try:
                completion = original(config=config, **kwargs)
            except Exception as exc:
                self._note(
                    Call(config.name, started, time.monotonic(), False, threading.get_ident(), str(exc))
                )
                raise
            self._note(Call(config.name, started, time.monotonic(), True, threading.get_ident()))
            return completion

        router.complete = timed

    def _note(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)
            if (
                call.ok
                and call.provider == self.watch
                and self.killed_at is None
                and self.on_kill is not None
                and self.answers(self.watch) >= self.kill_after
            ):
                # The moment of the decision: an answer that ends after it was already in flight.
                self.killed_at, self.killed_wall = time.monotonic(), time.time()
                self.on_kill()

    def answers(self, provider: str, *, after: float | None = None) -> int:
        return sum(
            1 for c in self.calls if c.provider == provider and c.ok and (after is None or c.ended > after)
        )

    def failover(self, *, dead: str, to: str) -> dict | None:
        """From the start of the first failed call to `dead` to the end of the first answer of
        `to` after it (any thread), and the same within the thread that saw the failure."""
        failed = next((c for c in self.calls if c.provider == dead and not c.ok), None)
        if failed is None:
            return None
        after = [c for c in self.calls if c.provider == to and c.ok and c.ended > failed.started]
        first = min(after, key=lambda c: c.ended, default=None)
        same = min((c for c in after if c.thread == failed.thread), key=lambda c: c.ended, default=None)
        return {
            "failed_call_ms": 1000 * (failed.ended - failed.started),
            "error": failed.error,
            "to_first_answer_ms": 1000 * (first.ended - failed.started) if first else None,
            "gap_ms": 1000 * (first.started - failed.ended) if first else None,
            "answer_ms": 1000 * (first.ended - first.started) if first else None,
            "same_request_ms": 1000 * (same.ended - failed.started) if same else None,
            "failed_calls": sum(1 for c in self.calls if c.provider == dead and not c.ok),
        }


# --- figures ---------------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5 = median); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def answering_calls(counters: dict, provider: str) -> int:
    """Completion requests `provider` received per the sandbox (the routes that cost money)."""
    answering = ("chat/completions", "/api/chat", "/runsync")
    return sum(
        n
        for key, n in counters["by_route"].items()
        if key.split(" ", 1)[0] == provider and any(route in key for route in answering)
    )


# --- the real local LLM: SmolLM2-135M behind llama.cpp's server ----------------------------------
def local_llm_missing() -> str | None:
    """Why the local model cannot run here, or None."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed in {sys.prefix} (bash scripts/local_llm.sh install)"
    found = subprocess.run(
        [sys.executable, "scripts/local_llm_model_path.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if found.returncode != 0:
        return f"no local model file: {found.stderr.strip()}"
    return None


def start_local_llm(log) -> tuple[subprocess.Popen, str, str]:
    """`scripts/local_llm.sh serve` on a free port (never building); (process, /v1 URL, model id)."""
    port = free_port()
    env = dict(os.environ, PY=sys.executable, LOCAL_LLM_HOST="127.0.0.1", LOCAL_LLM_PORT=str(port))
    env.update(LOCAL_LLM_INSTALL="0", LOCAL_LLM_READY_TIMEOUT=str(int(LOCAL_START_TIMEOUT)))
    process = subprocess.Popen(
        ["bash", "scripts/local_llm.sh", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + LOCAL_START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            response = requests.get(f"{url}/models", timeout=2)
            if response.ok and response.json().get("data"):
                return process, url, response.json()["data"][0]["id"]
        except requests.RequestException:
            pass
        time.sleep(0.25)
    stop_local_llm(process)
    raise RuntimeError(f"the local LLM server did not answer on port {port} (exit code {process.poll()})")


# --- part 2: the real local model ---------------------------------------------------------------
def bench_local(track_ids: list[str], local_log) -> tuple[list[str], list[str]]:
    from django.db.models import Max

    from analysis.models import SongAnalysis
    from analysis.services.analysis import analyse_track
    from llm.models import CallOutcome, JsonMode, LLMCall, Provider, ProviderKind
    from llm.services import AllProvidersDown
    from llm.services.circuit import reset_router

    missing = local_llm_missing()
    if missing:
        return ["", f"== local SmolLM2: skipped: {missing} =="], [
            f"  local SmolLM2                  skipped ({missing})"
        ]
    started = time.perf_counter()
    process, url, model = start_local_llm(local_log)
    boot = time.perf_counter() - started
    try:
        Provider.objects.update(enabled=False)
        Provider.objects.create(
            name=LOCAL, kind=ProviderKind.OPENAI, json_mode=JsonMode.JSON_OBJECT_SCHEMA, base_url=url, model=model,
            priority=30, connect_timeout=2, read_timeout=60, max_tokens=512,  # as scripts/demo.sh configures it
        )  # fmt: skip
        reset_router()
        kinds: collections.Counter = collections.Counter()
        problems: collections.Counter = collections.Counter()
        example: dict[str, str] = {}
        walls = []
        for track_id in track_ids:
            last = LLMCall.objects.aggregate(m=Max("id"))["m"] or 0
            clock = time.perf_counter()
            try:
                outcome = analyse_track(track_id=track_id, worker="bench-local").value
            except AllProvidersDown:
                outcome = "all providers down"
                reset_router()  # measure every track: close the circuit a failure opened
            walls.append(time.perf_counter() - clock)
            calls = list(LLMCall.objects.filter(id__gt=last).order_by("id"))
            seq = tuple(c.outcome for c in calls)
            kinds[_validity(seq, outcome)] += 1
            for c in calls:
                if c.outcome != CallOutcome.OK:
                    key = c.error.split(": ", 1)[0] if c.error.startswith("$") else c.error[:50]
                    problems[key] += 1
                    example.setdefault(key, c.error[:110])
        rows = list(LLMCall.objects.filter(provider_name=LOCAL))
    finally:
        stop_local_llm(process)
    latencies = [r.latency_ms for r in rows]
    prompt = [r.prompt_tokens for r in rows if r.prompt_tokens is not None]
    completion = [r.completion_tokens for r in rows if r.completion_tokens is not None]
    gen_s = sum(latencies) / 1000
    stored = SongAnalysis.objects.filter(track_id__in=track_ids, provider=LOCAL).count()
    n = len(track_ids)
    first_valid = kinds["valid first time"]
    lines = [
        "",
        f"== local SmolLM2 ({model}, llama.cpp server, json_object + schema, max_tokens 512; "
        f"{n} tracks, one at a time; server up in {boot:.1f} s) ==",
        f"per call ({len(rows)} calls, repairs included): median {percentile(latencies, 0.5):.0f} ms, "
        f"p90 {percentile(latencies, 0.9):.0f} ms, max {max(latencies, default=0)} ms",
        f"per track (lyrics and database included): median {1000 * percentile(walls, 0.5):.0f} ms, "
        f"total {sum(walls):.1f} s",
        f"tokens per call: prompt median {percentile(prompt, 0.5):.0f} (max {max(prompt, default=0)}), "
        f"completion median {percentile(completion, 0.5):.0f} (max {max(completion, default=0)}); "
        f"{sum(completion) / gen_s if gen_s else 0:.1f} completion tokens/s over the calls' time",
        "JSON validity per track: " + ", ".join(f"{k} {v} ({v / n:.0%})" for k, v in kinds.most_common()),
        f"stored analyses: {stored} of {n}",
        "invalid or failed calls by field (one example each):",
        *(f"  {v:>3} x {example[k]}" for k, v in problems.most_common(6)),
    ]
    summary = [
        f"  local per-call latency         {_ms(percentile(latencies, 0.5)):>10}  (p90 "
        f"{_ms(percentile(latencies, 0.9))}, max {_ms(max(latencies, default=0))})",
        f"  local JSON valid first time    {first_valid / n:>10.0%}  (after one repair "
        f"{kinds['valid after the repair'] / n:.0%}, stored {stored}/{n})",
    ]
    return lines, summary


def _validity(seq: tuple[str, ...], outcome: str) -> str:
    if seq[:1] == ("ok",):
        return "valid first time" if outcome == "analysed" else f"valid JSON, then {outcome}"
    if seq == ("invalid", "ok"):
        return (
            "valid after the repair" if outcome == "analysed" else f"valid after the repair, then {outcome}"
        )
    if seq == ("invalid", "invalid"):
        return "invalid after the repair"
    return f"other ({'/'.join(seq) or 'no call'}: {outcome})"


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"
