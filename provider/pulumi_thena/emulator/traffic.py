"""What happens around the API rather than in it: rate limits, injected faults, the request log.

These are plain, unlocked objects; the Backend owns them and calls them under its one lock.
"""

from __future__ import annotations

import fnmatch
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from pulumi_thena.emulator.errors import BadRequest

LOG_LIMIT = 10_000


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` API requests per key in each window of ``window_seconds``."""

    limit: int = 1000
    window_seconds: float = 60.0

    def to_wire(self) -> dict[str, Any]:
        return {"limit": self.limit, "windowSeconds": self.window_seconds}


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one request against its bucket, with what the headers should say."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    @property
    def reset_header(self) -> int:
        """UNIX seconds at which the window ends (rounded up)."""
        return math.ceil(self.reset_at)

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.reset_at - now))


class RateLimiter:
    """Fixed windows per bucket; a window starts with the first request after the last one ended."""

    def __init__(self, config: RateLimit) -> None:
        self.config = config
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, bucket: str, now: float) -> RateDecision:
        start, used = self._windows.get(bucket, (now, 0))
        if now >= start + self.config.window_seconds:
            start, used = now, 0
        allowed = used < self.config.limit
        used += 1 if allowed else 0
        self._windows[bucket] = (start, used)
        reset_at = start + self.config.window_seconds
        return RateDecision(allowed, self.config.limit, self.config.limit - used, reset_at)


FAULT_ACTIONS = frozenset(
    {
        "status",
        "drop",
        "commit_then_drop",
        "commit_then_delay",
        "delay",
        "rate_limit",
        "refuse",
        "raw",
    }
)
_OPTION_DEFAULTS: dict[str, Any] = {
    "status": 503,
    "delaySeconds": 1.0,
    "retryAfter": 1,
    "seconds": 1.0,
    "body": "",
    "contentType": "text/plain",
}


@dataclass
class Fault:
    """Break the next ``count`` requests whose method and path (glob or route template) match."""

    method: str
    path: str
    action: str
    count: int
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str, template: str | None) -> bool:
        if self.method not in ("*", method):
            return False
        return self.path == template or fnmatch.fnmatchcase(path, self.path)

    def option(self, name: str) -> Any:
        return self.options.get(name, _OPTION_DEFAULTS[name])

    def to_wire(self) -> dict[str, Any]:
        spec = {"method": self.method, "path": self.path, "action": self.action}
        return {**spec, "count": self.count, **self.options}


def parse_fault(body: Any) -> Fault:
    """A Fault from the control route's body, or BadRequest naming what is wrong."""
    if not isinstance(body, dict):
        raise BadRequest("the fault must be a JSON object")
    problems = _fault_problems(body)
    if problems:
        raise BadRequest(problems)
    options = {key: body[key] for key in _OPTION_DEFAULTS if key in body}
    return Fault(
        method=str(body.get("method", "*")).upper(),
        path=body["path"],
        action=body["action"],
        count=body.get("count", 1),
        options=options,
    )


def _fault_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    if body.get("action") not in FAULT_ACTIONS:
        problems.append(f"action must be one of the following values: {sorted(FAULT_ACTIONS)}")
    if not isinstance(body.get("path"), str) or not body["path"].startswith("/"):
        problems.append("path must be a glob or route template starting with /")
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        problems.append("count must be a whole number of at least 1")
    for name in ("delaySeconds", "seconds", "retryAfter", "status"):
        value = body.get(name, 0)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            problems.append(f"{name} must be a non-negative number")
    unknown = set(body) - {"method", "path", "action", "count", *_OPTION_DEFAULTS}
    problems += [f"property {name} should not exist" for name in sorted(unknown)]
    return problems


class FaultList:
    """Armed faults in the order they were added; the first match is used and counted down."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, method: str, path: str, template: str | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, path, template):
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def to_wire(self) -> list[dict[str, Any]]:
        return [fault.to_wire() for fault in self._faults]


@dataclass(frozen=True)
class RequestRecord:
    """One API request as the log shows it; never holds the API key."""

    method: str
    path: str
    route: str | None
    query: dict[str, str]
    status: int | None
    duration_ms: float
    fault: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "query": self.query,
            "status": self.status,
            "durationMs": round(self.duration_ms, 3),
            "fault": self.fault,
        }


class Traffic:
    """The request log (bounded) and the counters over API requests."""

    def __init__(self) -> None:
        self._log: deque[RequestRecord] = deque(maxlen=LOG_LIMIT)
        self._by_route: Counter[str] = Counter()
        self._by_path: Counter[str] = Counter()
        self._status429 = 0

    def record(self, entry: RequestRecord) -> None:
        self._log.append(entry)
        self._by_route[f"{entry.method} {entry.route or '(no route)'}"] += 1
        self._by_path[f"{entry.method} {entry.path}"] += 1
        self._status429 += entry.status == 429

    def requests(self) -> list[dict[str, Any]]:
        return [entry.to_wire() for entry in self._log]

    def counters(self) -> dict[str, Any]:
        return {
            "byRoute": dict(self._by_route),
            "byPath": dict(self._by_path),
            "total": self._by_path.total(),
            "status429": self._status429,
        }
