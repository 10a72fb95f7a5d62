"""Faults injected per provider: down, slow, status, malformed, model_not_found (and RunPod's queued),
and `answer`: the answer given word for word, as a model (or LRCLIB) that says what a test needs."""

from __future__ import annotations

import dataclasses
import fnmatch
from typing import Any

from sandbox.errors import ControlError, optional_int  # the Spotify sandbox's: one control-error shape
from sandbox.llm.answers import MALFORMED_VARIANTS

FAULT_KINDS = ("down", "slow", "status", "malformed", "model_not_found", "queued", "answer")
_FIELDS = {"provider", "kind", "count", "status", "retry_after", "latency_ms", "route", "variant", "content"}
ANSWER_KINDS = ("malformed", "model_not_found", "queued", "answer")
DEFAULT_SLOW_MS = 2000
FOREVER = -1


@dataclasses.dataclass(slots=True)
class Fault:
    id: int
    provider: str  # a provider name, "lrclib", or "*" for every LLM provider
    kind: str
    remaining: int  # -1: until cleared
    route: str = "*"  # glob on the path below the provider prefix, e.g. "/v1/chat/*"
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int | None = None
    variant: str | None = None
    # kind "answer": what is answered instead of the generated answer. A model's reply is this
    # text (a JSON value other than a string: its JSON text); LRCLIB's body is this JSON value.
    content: Any = None

    def matches(self, *, provider: str, route: str) -> bool:
        if self.provider == "*":
            if provider == "lrclib":
                return False
        elif self.provider != provider:
            return False
        return fnmatch.fnmatchcase(route, self.route)

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_fault(data: Any, *, providers: set[str], fault_id: int) -> Fault:
    if not isinstance(data, dict):
        raise ControlError("A fault must be a JSON object.")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ControlError(f"Unknown fault field(s): {', '.join(sorted(unknown))}.")
    provider = data.get("provider")
    if provider not in providers | {"*", "lrclib"}:
        raise ControlError(
            f"Unknown provider {provider!r}; use one of {', '.join(sorted(providers))}, 'lrclib' or '*'."
        )
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        raise ControlError(f"Unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}.")
    count = data.get("count", FOREVER)
    if count is None:
        count = FOREVER
    if isinstance(count, bool) or not isinstance(count, int) or (count < 1 and count != FOREVER):
        raise ControlError("count must be a positive integer, or -1 (until cleared).")
    route = data.get("route", "*")
    if not isinstance(route, str) or not (route == "*" or route.startswith("/")):
        raise ControlError("route must be '*' or a glob starting with '/', e.g. '/v1/chat/*'.")
    fault = Fault(
        id=fault_id,
        provider=provider,
        kind=kind,
        remaining=count,
        route=route,
        retry_after=optional_int(data, "retry_after", minimum=0),
        latency_ms=optional_int(data, "latency_ms", minimum=0),
    )
    if kind == "status":
        fault.status = optional_int(data, "status", minimum=400) or 500
        if fault.status > 599:
            raise ControlError("A status fault needs a status between 400 and 599.")
    elif "status" in data:
        raise ControlError("status only goes with kind 'status'.")
    if kind == "slow" and fault.latency_ms is None:
        fault.latency_ms = DEFAULT_SLOW_MS
    if kind == "malformed":
        fault.variant = data.get("variant", "content")
        if fault.variant not in MALFORMED_VARIANTS:
            raise ControlError(f"variant must be one of {', '.join(MALFORMED_VARIANTS)}.")
    elif "variant" in data:
        raise ControlError("variant only goes with kind 'malformed'.")
    if kind == "answer":
        if "content" not in data:
            raise ControlError("An answer fault needs its content (the model's reply, or LRCLIB's body).")
        fault.content = data["content"]
    elif "content" in data:
        raise ControlError("content only goes with kind 'answer'.")
    return fault


class FaultBook:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.next_id = 1

    def add(self, data: Any, *, providers: set[str]) -> Fault:
        fault = parse_fault(data, providers=providers, fault_id=self.next_id)
        self.next_id += 1
        self.faults.append(fault)
        return fault

    def clear(self, provider: str | None = None) -> None:
        self.faults = [] if provider is None else [f for f in self.faults if f.provider != provider]

    def take(self, *, provider: str, route: str, answering: bool) -> Fault | None:
        """The oldest fault for this request, consuming one of its uses.

        "malformed" and "model_not_found" only hit routes that answer (chat, runsync, lyrics), so a
        health poll or a model listing does not use them up; "queued" only hits RunPod's /runsync.
        """
        for fault in self.faults:
            if fault.kind in ANSWER_KINDS and not answering:
                continue
            if fault.kind == "queued" and not route.endswith("/runsync"):
                continue
            if fault.matches(provider=provider, route=route):
                if fault.remaining != FOREVER:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.faults.remove(fault)
                return fault
        return None
