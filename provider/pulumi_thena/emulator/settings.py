"""What a test may change in a running emulator: latency, rate limit, deny list, answer shapes.

``Settings`` is set at start (constructor or command line) and through ``POST /__emulator/config``
(camelCase keys); a reset brings back the start settings. The answer-shape settings let the
provider meet each reading of the API that docs/api.md leaves open: the documented step shape
(section 8, U-22), the page base (U-24), a cap on ``limit`` and the list order (U-12), and empty
success bodies (U-25).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.emulator.traffic import RateLimit

ResponseShape = Literal["request", "documented"]
Order = Literal["asc", "desc"]
RESPONSE_SHAPES: tuple[ResponseShape, ...] = ("request", "documented")
ORDERS: tuple[Order, ...] = ("asc", "desc")
PAGE_BASES = (0, 1)
DEFAULT_LIMIT_CAP = 100

WIRE_NAMES = {
    "latency_ms": "latencyMs",
    "rate_limit": "rateLimit",
    "deny": "deny",
    "response_shape": "responseShape",
    "page_base": "pageBase",
    "limit_cap": "limitCap",
    "order": "order",
    "empty_bodies": "emptyBodies",
}
"""Each setting's name in Python and on the control route."""


@dataclass(frozen=True)
class Settings:
    """Runtime behaviour that tests may change; ``problems()`` names every bad value."""

    latency_ms: float = 0.0
    rate_limit: RateLimit = field(default_factory=RateLimit)
    deny: frozenset[str] = frozenset()
    response_shape: ResponseShape = "request"
    page_base: int = 1
    limit_cap: int = DEFAULT_LIMIT_CAP
    order: Order = "desc"
    empty_bodies: bool = False

    def problems(self) -> list[str]:
        """What is wrong with these settings, by wire name; empty when they are usable."""
        checks = [
            (_is_number(self.latency_ms, 0), "latencyMs must be a number of at least 0"),
            (self.response_shape in RESPONSE_SHAPES, "responseShape must be request or documented"),
            (
                self.page_base in PAGE_BASES and not isinstance(self.page_base, bool),
                "pageBase must be 0 or 1",
            ),
            (_is_whole(self.limit_cap, 1), "limitCap must be a whole number of at least 1"),
            (self.order in ORDERS, "order must be asc or desc"),
            (isinstance(self.empty_bodies, bool), "emptyBodies must be true or false"),
        ]
        return [message for ok, message in checks if not ok]

    def to_wire(self) -> dict[str, Any]:
        return {
            "latencyMs": self.latency_ms,
            "rateLimit": self.rate_limit.to_wire(),
            "deny": sorted(self.deny),
            "responseShape": self.response_shape,
            "pageBase": self.page_base,
            "limitCap": self.limit_cap,
            "order": self.order,
            "emptyBodies": self.empty_bodies,
        }


def checked(settings: Settings) -> Settings:
    """``settings`` when usable, else ValueError naming each bad value (for constructors)."""
    problems = settings.problems()
    if problems:
        raise ValueError("; ".join(problems))
    return settings


def parse_settings(body: Any, current: Settings) -> Settings:
    """``current`` changed by the control route's body; BadRequest names every bad value."""
    if not isinstance(body, dict):
        raise BadRequest("the config must be a JSON object")
    unknown = set(body) - set(WIRE_NAMES.values())
    if unknown:
        raise BadRequest([f"property {name} should not exist" for name in sorted(unknown)])
    changes: dict[str, Any] = {}
    problems: list[str] = []
    for name, wire in WIRE_NAMES.items():
        if wire not in body:
            continue
        value = body[wire]
        if name == "rate_limit":
            value = _parse_rate_limit(value, problems)
        elif name == "deny":
            value = _parse_deny(value, problems)
        elif name == "latency_ms" and _is_number(value, 0):
            value = float(value)
        elif name in ("page_base", "limit_cap") and _is_whole(value, 0):
            value = int(value)
        changes[name] = value
    problems += replace(current, **changes).problems() if not problems else []
    if problems:
        raise BadRequest(problems)
    return replace(current, **changes)


def _parse_rate_limit(value: Any, problems: list[str]) -> RateLimit:
    if not isinstance(value, dict):
        problems.append("rateLimit must be an object {limit, windowSeconds}")
        return RateLimit()
    limit, window = value.get("limit"), value.get("windowSeconds")
    if not _is_number(limit, 1):
        problems.append("rateLimit.limit must be a number of at least 1")
    if not _is_number(window, 0.001):
        problems.append("rateLimit.windowSeconds must be a number of at least 0.001")
    if problems:
        return RateLimit()
    return RateLimit(int(cast(float, limit)), float(cast(float, window)))


def _parse_deny(value: Any, problems: list[str]) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append('deny must be a list of "METHOD /route/{template}" strings')
        return frozenset()
    return frozenset(" ".join(item.split()) for item in value)


def _is_number(value: Any, minimum: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= minimum


def _is_whole(value: Any, minimum: int) -> bool:
    return _is_number(value, minimum) and float(value).is_integer()
