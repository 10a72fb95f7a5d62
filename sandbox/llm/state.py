"""The LLM sandbox's mutable layer: providers and their models, faults, counters. `reset()` restores start-up."""

from __future__ import annotations

import collections
import dataclasses
import re
import threading
import time
from typing import Any

from sandbox.llm.faults import ControlError, FaultBook
from sandbox.llm.lyrics import LyricsBook

PROVIDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
RESERVED = {"_llm", "lrclib"}
DEFAULT_PROVIDERS = ("primary:llama-3.1-70b-instruct", "fallback:llama3.1:8b")
WORKER_STATES = ("idle", "initializing", "ready", "running", "throttled", "unhealthy")
DEFAULT_WORKERS = {"idle": 1, "initializing": 0, "ready": 1, "running": 0, "throttled": 0, "unhealthy": 0}
RECENT = 200


@dataclasses.dataclass(slots=True)
class Provider:
    name: str
    models: tuple[str, ...]
    # RunPod /health: the worker figures (jobs are counted by the sandbox itself).
    workers: dict[str, int] = dataclasses.field(default_factory=lambda: dict(DEFAULT_WORKERS))
    jobs: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    # Finished RunPod jobs by id, oldest first, for /status/{id}.
    results: dict[str, dict] = dataclasses.field(default_factory=dict)

    def knows(self, model: str) -> bool:
        # Ollama resolves a bare name to its ':latest' tag.
        return model in self.models or (":" not in model and f"{model}:latest" in self.models)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "models": list(self.models), "workers": dict(self.workers)}


def parse_provider(spec: str) -> Provider:
    """`NAME:model1,model2` (a model may itself contain ':' as Ollama tags do)."""
    name, sep, models = spec.partition(":")
    model_list = tuple(m.strip() for m in models.split(",") if m.strip())
    if not sep or not PROVIDER_NAME.match(name) or name in RESERVED or not model_list:
        raise ValueError(f"Bad provider {spec!r}: use NAME:model1,model2 (NAME not '_llm' or 'lrclib').")
    return Provider(name=name, models=model_list)


class Counters:
    def __init__(self) -> None:
        self.by_provider: collections.Counter[str] = collections.Counter()
        self.by_route: collections.Counter[str] = collections.Counter()
        self.by_status: collections.Counter[str] = collections.Counter()
        self.by_provider_status: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        self.by_model: collections.Counter[str] = collections.Counter()
        self.faulted = 0
        self.recent: collections.deque[dict] = collections.deque(maxlen=RECENT)

    def record(
        self, *, provider: str, route: str, status: int, model: str | None, fault: str | None, **extra: Any
    ) -> None:
        self.by_provider[provider] += 1
        self.by_route[f"{provider} {route}"] += 1
        self.by_status[str(status)] += 1
        self.by_provider_status[provider][str(status)] += 1
        if model:
            self.by_model[f"{provider}/{model}"] += 1
        if fault:
            self.faulted += 1
        self.recent.append(
            {"provider": provider, "route": route, "status": status, "model": model, "fault": fault, **extra}
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "total": sum(self.by_provider.values()),
            "faulted": self.faulted,
            "by_provider": dict(sorted(self.by_provider.items())),
            "by_route": dict(sorted(self.by_route.items())),
            "by_status": dict(sorted(self.by_status.items())),
            "by_provider_status": {
                p: dict(sorted(c.items())) for p, c in sorted(self.by_provider_status.items())
            },
            "by_model": dict(sorted(self.by_model.items())),
            "recent": list(self.recent),
        }


class LlmState:
    def __init__(self, *, seed: int, providers: list[Provider], lyrics: LyricsBook) -> None:
        self.seed = seed
        self.lyrics = lyrics
        self.startup = [(p.name, p.models) for p in providers]
        self.lock = threading.Lock()
        self.started = time.time()
        # Internal sandbox errors (bugs), kept across resets so the test session that caused one fails.
        self.errors: list[str] = []
        self.client_disconnects = 0
        self.generation = 0
        self.reset()

    def reset(self) -> float:
        began = time.perf_counter()
        # Requests still in flight from before the reset (a slow fault) are not counted afterwards.
        self.generation += 1
        self.providers = {name: Provider(name=name, models=models) for name, models in self.startup}
        self.faults = FaultBook()
        self.counters = Counters()
        return (time.perf_counter() - began) * 1000

    def provider_names(self) -> set[str]:
        return set(self.providers)

    def patch_provider(self, name: str, body: Any) -> Provider:
        provider = self.providers.get(name)
        if provider is None:
            raise ControlError(f"Unknown provider {name!r}.", status=404)
        if not isinstance(body, dict) or not set(body) <= {"models", "workers"}:
            raise ControlError("Give models (a list of ids) and/or workers ({idle, running, ...}).")
        models = body.get("models")
        if models is not None:
            if (
                not isinstance(models, list)
                or not models
                or not all(isinstance(m, str) and m for m in models)
            ):
                raise ControlError("models must be a non-empty list of model ids.")
        workers = body.get("workers")
        if workers is not None:
            if not isinstance(workers, dict) or not set(workers) <= set(WORKER_STATES):
                raise ControlError(f"workers takes {', '.join(WORKER_STATES)}.")
            if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in workers.values()):
                raise ControlError("Worker figures must be integers >= 0.")
            provider.workers.update(workers)
        if models is not None:
            provider.models = tuple(models)
        return provider
