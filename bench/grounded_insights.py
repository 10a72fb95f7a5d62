"""Benchmark: the grounded share of written insights per provider (the sandbox's model, the local one).

    .venv/bin/python bench/grounded_insights.py [--listeners 6] [--quick] [--local auto|skip]
                                                [--local-url http://127.0.0.1:8002/v1]

Uses a throwaway database (bench.import_library.prepare_database) and its own LLM sandbox.
Listeners are made from the sandbox catalog (its real artist, song and genre names, seed 1):
each gets a short-term snapshot (top artists and songs, plays in the window, genres, moods,
hours) and plays of their songs. Every kind x tone of insight is then written through the
product's own path (insights.services.insight_writer.write_insight: the facts block, the check,
one repair, fail-over), with one provider enabled at a time:

- `sandbox`: the LLM sandbox's OpenAI-compatible provider (its answers must all be grounded);
- `local`: SmolLM2-135M behind llama.cpp's server, as the demo runs it (bash scripts/local_llm.sh).
  `--local auto` starts it when llama-cpp-python and the model are installed, `--local-url`
  uses one already running; otherwise the line says "not measured" and why.

Per provider: insights asked; grounded at the first answer (the grounded share), after the one
repair, and not written (no grounded answer: the run fails, nothing ungrounded is stored);
schema failures apart; the most common ungrounded names and numbers.
"""

from __future__ import annotations

import argparse
import collections
import os
import pathlib
import random
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.analysis_support import local_llm_missing, mirror_catalog_tracks, start_local_llm  # noqa: E402
from bench.import_library import prepare_database, setup_django  # noqa: E402
from tests.fixtures.llm_sandbox import PRIMARY_MODEL, start_llm_sandbox, stop_llm_sandbox  # noqa: E402

BENCH_DB = "linernotes_bench_grounded"
EXAMPLES = 8  # refusals shown per provider (--examples)
MOODS = ("calm", "melancholic", "hopeful", "nostalgic", "energetic", "happy", "dark")


def make_listeners(count: int, *, seed: int = 5) -> list:
    """`count` listeners with a snapshot and plays drawn from the mirrored catalog tracks."""
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    from accounts.models import User
    from insights.models import ListeningSnapshot, Play, TimeRange
    from insights.services.snapshot_figures import genre_distribution, normalised_entropy, shares
    from library.models import Track
    from sandbox.catalog import build_catalog

    catalog = build_catalog(seed=1, scale=1.0)
    genres_of = {a.id: a.genres for a in catalog.artists}
    track_ids = mirror_catalog_tracks(count=count * 40, sample_seed=seed)
    tracks = {t.pk: t for t in Track.objects.filter(pk__in=track_ids).prefetch_related("credits")}
    rng = random.Random(seed)
    snapshots = []
    end = timezone.make_aware(datetime(2026, 11, 30, 20, 0))
    for n in range(count):
        user = User.objects.create_user(username=f"bench_grounded_{n}", password=None)
        mine = track_ids[n * 40 : (n + 1) * 40]
        plays = [rng.choice(mine[: rng.randint(8, 40)]) for _ in range(rng.randint(60, 400))]
        Play.objects.bulk_create(
            [Play(user=user, track_id=t, played_at=end - timedelta(minutes=7 * i)) for i, t in enumerate(plays)]
        )
        by_artist: collections.Counter = collections.Counter()
        for t in plays:
            by_artist.update({c.artist_id for c in tracks[t].credits.all()})
        ranked = [a for a, _ in by_artist.most_common(10)]
        rng.shuffle(ranked[:4])  # Spotify's ranking is not quite the plays
        hours = [0] * 24
        for i in range(len(plays)):
            hours[(20 - (7 * i) // 60) % 24] += 1
        moods = shares({m: rng.randint(0, 12) for m in rng.sample(MOODS, 5)})
        genres = genre_distribution(genres_of.get(a, ()) for a in ranked)
        snapshots.append(
            ListeningSnapshot.objects.create(
                user=user, snapshot_date=date(2026, 11, 30), time_range=TimeRange.SHORT,
                top_tracks=[{"id": t, "rank": r} for r, t in enumerate(dict.fromkeys(plays), 1)][:10],
                top_artists=[{"id": a, "rank": r} for r, a in enumerate(ranked, 1)],
                played_artists=[{"id": a, "plays": p} for a, p in by_artist.most_common()],
                genre_distribution=genres, decade_distribution={"2010s": 0.5, "2000s": 0.3, "1990s": 0.2},
                explicit_share=round(rng.random() / 3, 2), play_count=len(plays), hour_of_day=hours,
                weekday_hours=[[h // 7 for h in hours] for _ in range(7)], mood_distribution=moods,
                energy_mean=round(rng.uniform(0.2, 0.9), 2), analysed_tracks=30,
                mood_diversity=normalised_entropy(moods), genre_diversity=normalised_entropy(genres),
            )  # fmt: skip
        )
    return snapshots


def measure(label: str, snapshots: list, *, kinds: list[str], tones: list[str]) -> tuple[list[str], float]:
    """Write every kind x tone for every snapshot with the one enabled provider: the report
    lines and the grounded share."""
    from django.db.models import Max

    from core.runs import RunStatus
    from insights.models import GeneratedInsight
    from insights.services.insight_prompt import PROMPT_VERSION
    from insights.services.insight_writer import write_insight
    from llm.models import CallOutcome, LLMCall
    from llm.services.circuit import reset_router

    outcome: collections.Counter = collections.Counter()
    missing: collections.Counter = collections.Counter()
    REFUSALS.details.clear()
    started = time.perf_counter()
    for snapshot in snapshots:
        for kind in kinds:
            for tone in tones:
                insight = GeneratedInsight.objects.create(
                    user_id=snapshot.user_id, snapshot=snapshot, kind=kind, tone=tone,
                    prompt_version=f"{PROMPT_VERSION}-{label.split()[0]}", status=RunStatus.QUEUED,
                )  # fmt: skip
                last = LLMCall.objects.aggregate(m=Max("id"))["m"] or 0
                try:
                    written = write_insight(insight_id=insight.pk)
                except Exception as exc:  # an unexpected error is counted, the bench goes on
                    outcome[f"error ({type(exc).__name__})"] += 1
                    continue
                calls = list(LLMCall.objects.filter(id__gt=last).order_by("id"))
                checks = [c for c in calls if c.outcome == CallOutcome.OK or c.error.startswith(("ungrounded", "breaks"))]
                if written.status == RunStatus.SUCCEEDED:
                    outcome["grounded at the first answer" if len(calls) == 1 else "grounded after the repair"] += 1
                elif checks:
                    outcome["not written: no grounded answer"] += 1
                elif written.status == RunStatus.QUEUED:
                    outcome["not written: provider down or answers invalid for the schema"] += 1
                    reset_router()  # measure every insight: close the circuit the failure opened
                else:
                    outcome["not written: " + written.error[:60]] += 1
                _count_missing(calls, missing)
    asked = sum(outcome.values())
    first = outcome["grounded at the first answer"]
    wall = time.perf_counter() - started
    lines = [
        f"== {label}: {asked} insights ({len(snapshots)} listeners x {len(kinds)} kinds x {len(tones)} tones), "
        f"{wall:.1f} s ==",
        f"grounded share (first answer): {first}/{asked} = {first / asked:.0%}" if asked else "nothing asked",
        *(f"  {count:>4}  {what}" for what, count in outcome.most_common()),
    ]
    if missing:
        lines.append("  refused answers, by what they said (counts only): " + ", ".join(
            f"{what} x{count}" for what, count in missing.most_common(4)))  # fmt: skip
    lines += [f"  refused: {detail[:160]}" for detail in REFUSALS.details[: REFUSALS.shown]]
    return lines, first / asked if asked else 0.0


def _count_missing(calls, missing: collections.Counter) -> None:
    for call in calls:
        if call.error.startswith("ungrounded"):
            missing["ungrounded names or numbers"] += 1
        elif call.error.startswith("breaks"):
            missing["a rule beyond the schema (a lead claim, blank text)"] += 1


class _Refusals:
    """What the check refused, as it told the model (names and numbers included): the bench
    shows a few, so a reader can judge whether the check or the model was wrong."""

    def __init__(self) -> None:
        self.details: list[str] = []
        self.shown = EXAMPLES

    def install(self) -> None:
        from insights.services import insight_writer

        base = insight_writer.InsightCheck
        details = self.details

        class Recording(base):
            def __call__(self, data):
                verdict = super().__call__(data)
                if verdict is not None:
                    details.append(verdict.detail)
                return verdict

        insight_writer.InsightCheck = Recording


REFUSALS = _Refusals()


def use_only(*, name: str, **values) -> None:
    from llm.models import Provider
    from llm.services.circuit import reset_router

    Provider.objects.update(enabled=False)
    Provider.objects.update_or_create(name=name, defaults={"enabled": True, **values})
    reset_router()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listeners", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="CI-sized: 2 listeners, the sandbox only")
    parser.add_argument("--local", choices=("auto", "skip"), default="auto")
    parser.add_argument("--examples", type=int, default=EXAMPLES, help="refusals shown per provider")
    parser.add_argument("--local-url", default="", help="a running local model's /v1 URL (else started here)")
    args = parser.parse_args()
    if args.quick:
        args.listeners, args.local = 2, "skip"
    REFUSALS.shown = args.examples
    database_url, drop_database = prepare_database(os.environ.get("DATABASE_URL"), name=BENCH_DB)
    with tempfile.TemporaryFile() as log, tempfile.TemporaryFile() as local_log:
        process, sandbox = start_llm_sandbox(log)
        try:
            setup_django(database_url)
            from insights.models import InsightKind, InsightTone
            from llm.models import JsonMode, ProviderKind

            REFUSALS.install()
            snapshots = make_listeners(args.listeners)
            kinds, tones = list(InsightKind.values), list(InsightTone.values)
            use_only(name="sandbox", kind=ProviderKind.OPENAI, base_url=sandbox.openai_url("primary"),
                     model=PRIMARY_MODEL, priority=10, read_timeout=10.0)  # fmt: skip
            lines, sandbox_share = measure("sandbox", snapshots, kinds=kinds, tones=tones)
            # The sandbox's model writes only from the facts: anything short of all is a bug.
            lines.append(f"  [{'met' if sandbox_share == 1 else 'NOT MET'}] the sandbox's insights are 100 % grounded")
            lines += local_lines(args, snapshots, kinds=kinds, tones=tones, log=local_log,
                                 provider={"kind": ProviderKind.OPENAI, "json_mode": JsonMode.JSON_OBJECT_SCHEMA})  # fmt: skip
        finally:
            stop_llm_sandbox(process)
            drop_database()
    print("\n".join(lines))
    return 0 if sandbox_share == 1 else 1


def local_lines(args, snapshots, *, kinds, tones, log, provider: dict) -> list[str]:
    if args.local == "skip" and not args.local_url:
        return ["== local SmolLM2: not measured: skipped (--local skip or --quick) =="]
    server = None
    url = args.local_url
    if not url:
        missing = local_llm_missing()
        if missing:
            return [f"== local SmolLM2: not measured: {missing} =="]
        server, url, model = start_local_llm(log)
    else:
        import requests

        try:
            model = requests.get(f"{url}/models", timeout=5).json()["data"][0]["id"]
        except Exception as exc:  # no server there: say so instead of a number
            return [f"== local SmolLM2: not measured: no model server answers at {url} ({type(exc).__name__}) =="]
    try:
        # As scripts/demo.sh configures it; one tone keeps a 135M model's run in minutes.
        use_only(name="local", base_url=url, model=model, priority=30, connect_timeout=2, read_timeout=120,
                 max_tokens=512, **provider)  # fmt: skip
        return measure(f"local ({model})", snapshots, kinds=kinds, tones=tones[:1])[0]
    finally:
        if server is not None:
            from bench.analysis_support import stop_local_llm

            stop_local_llm(server)


if __name__ == "__main__":
    sys.exit(main())
