"""What happens to traffic before it reaches a handler: injected faults, the rate limit, the counters."""

from __future__ import annotations

import collections
import dataclasses
import fnmatch
import math
import time
from typing import Any

from sandbox.errors import ControlError, optional_int

# mutate_after: the request is answered normally, then `body` ({"playlist_id", "op", ...}, as
# POST /_sandbox/playlists/{id}/mutate takes it) is applied: another client's edit landing
# between two requests, such as a playlist unfollowed between two pages of a listing.
FAULT_KINDS = ("status", "latency", "reset", "malformed", "mutate_after")
_FAULT_FIELDS = {"method", "path", "kind", "status", "count", "retry_after", "latency_ms", "body"}


@dataclasses.dataclass(slots=True)
class Fault:
    method: str
    path: str
    kind: str
    remaining: int
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int | None = None
    body: Any = None

    def matches(self, *, method: str, path: str) -> bool:
        return self.method in {"*", method} and fnmatch.fnmatchcase(path, self.path)

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def parse_fault(data: Any) -> Fault:
    if not isinstance(data, dict):
        raise ControlError("A fault must be a JSON object.")
    unknown = set(data) - _FAULT_FIELDS
    if unknown:
        raise ControlError(f"Unknown fault field(s): {', '.join(sorted(unknown))}.")
    kind = data.get("kind", "status")
    if kind not in FAULT_KINDS:
        raise ControlError(f"Unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}.")
    method, path = data.get("method", "*"), data.get("path")
    if not isinstance(method, str) or not isinstance(path, str) or not path.startswith("/"):
        raise ControlError("A fault needs a method (or '*') and a path pattern starting with '/'.")
    count = optional_int(data, "count", minimum=1) or 1
    fault = Fault(
        method=method.upper(),
        path=path,
        kind=kind,
        remaining=count,
        retry_after=optional_int(data, "retry_after", minimum=0),
        latency_ms=optional_int(data, "latency_ms", minimum=0),
        body=data.get("body"),
    )
    if kind == "status":
        fault.status = optional_int(data, "status", minimum=100)
        if fault.status is None or fault.status > 599:
            raise ControlError("A status fault needs a status between 100 and 599.")
    if kind == "latency" and fault.latency_ms is None:
        raise ControlError("A latency fault needs latency_ms.")
    if kind == "mutate_after" and not (
        isinstance(fault.body, dict) and isinstance(fault.body.get("playlist_id"), str) and fault.body.get("op")
    ):
        raise ControlError('A mutate_after fault needs body {"playlist_id": ..., "op": ...}.')
    if fault.body is not None and not isinstance(fault.body, (dict, list, str)):
        raise ControlError("body must be a JSON object, array or string.")
    return fault


class FaultBook:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults.clear()

    def take(self, *, method: str, path: str) -> Fault | None:
        """The first pending fault for this request, consuming one of its uses."""
        for fault in self.faults:
            if fault.matches(method=method, path=path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None


class RateLimiter:
    """A budget of requests per rolling window, per app (client id)."""

    def __init__(self) -> None:
        self.seen: dict[str, collections.deque[float]] = {}

    def clear(self) -> None:
        self.seen.clear()

    def check(
        self, *, client_id: str, budget: int | None, window: int, now: float | None = None
    ) -> int | None:
        """None when the request may pass (and is counted); else the seconds until a slot frees up."""
        if budget is None:
            return None
        now = time.monotonic() if now is None else now
        stamps = self.seen.setdefault(client_id, collections.deque())
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) >= budget:
            return max(1, math.ceil(stamps[0] + window - now))
        stamps.append(now)
        return None


class QuotaMeter:
    """The developer account's quota: spent after `after_requests` requests, then every request is
    refused until `retry_after` seconds after the first refusal (one budget for the whole app)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.used = 0
        self.exceeded_at: float | None = None
        self.settings: tuple[int, int] | None = None

    def check(self, *, after_requests: int | None, retry_after: int, now: float | None = None) -> int | None:
        """None when the request may pass (and is counted); else Retry-After in seconds (>= 1)."""
        if after_requests is None:
            self.clear()
            return None
        if self.settings != (after_requests, retry_after):  # a new quota configured: counted afresh
            self.clear()
            self.settings = (after_requests, retry_after)
        now = time.monotonic() if now is None else now
        if self.exceeded_at is not None and now >= self.exceeded_at + retry_after:
            self.used, self.exceeded_at = 0, None  # the quota period is over: a fresh budget
        if self.exceeded_at is None and self.used < after_requests:
            self.used += 1
            return None
        if self.exceeded_at is None:
            self.exceeded_at = now
        # Elapsed first: (t + n) - t need not equal n in floating point, and Retry-After must not exceed n.
        return max(1, math.ceil(retry_after - (now - self.exceeded_at)))


class Counters:
    def __init__(self) -> None:
        self.by_route: collections.Counter[str] = collections.Counter()
        self.by_status: collections.Counter[str] = collections.Counter()
        self.by_client: collections.Counter[str] = collections.Counter()
        self.throttled_by_route: collections.Counter[str] = collections.Counter()
        self.faulted = 0

    def clear(self) -> None:
        self.__init__()

    def record(self, *, route: str, status: int, client_id: str | None, faulted: bool) -> None:
        self.by_route[route] += 1
        self.by_status[str(status)] += 1
        if client_id:
            self.by_client[client_id] += 1
        if status == 429:
            self.throttled_by_route[route] += 1
        if faulted:
            self.faulted += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "total": sum(self.by_route.values()),
            "status_429": self.by_status.get("429", 0),
            "faulted": self.faulted,
            "by_route": dict(sorted(self.by_route.items())),
            "by_status": dict(sorted(self.by_status.items())),
            "by_client": dict(sorted(self.by_client.items())),
            "throttled_by_route": dict(sorted(self.throttled_by_route.items())),
        }
