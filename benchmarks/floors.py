"""The least each operation can cost in API calls, and the targets the provider is held to.

Routes are the emulator's counter keys (``METHOD /template``). The floor of an operation is what
it must cost whatever the implementation: one create per new workflow, one PATCH per edited one,
one toggle per flipped one, every page of the org for a refresh, one delete per workflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

PAGE_SIZE = 100
LIST = "GET /api/v1/workflows"
CREATE = "POST /api/v1/workflows"
PATCH = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"
TOGGLE = "POST /api/v1/workflows/{workflowUniqueIdentifier}/toggle"
DELETE = "DELETE /api/v1/workflows/{workflowUniqueIdentifier}"
GET = "GET /api/v1/workflows/{workflowUniqueIdentifier}"
EVENTS = "GET /api/v1/workflows/registry/events"
ACTIVITIES = "GET /api/v1/workflows/registry/activities"
OPERATORS = "GET /api/v1/workflows/filter-operators"
REGISTRY = (EVENTS, ACTIVITIES, OPERATORS)
WRITES = (CREATE, PATCH, TOGGLE, DELETE)

INITIAL_UP = "initial up"
NOOP_PREVIEW = "no-op preview"
NOOP_UP = "no-op up"
EDIT_UP = "10% edited (up)"
FLIP_UP = "10% activation flipped (up)"
REFRESH = "refresh"
DESTROY = "destroy"
OPERATIONS = (INITIAL_UP, NOOP_PREVIEW, NOOP_UP, EDIT_UP, FLIP_UP, REFRESH, DESTROY)


def list_pages(count: int, page_size: int = PAGE_SIZE) -> int:
    """Pages a full listing takes: a short (or empty) last page ends it (+1 on exact multiples)."""
    return count // page_size + 1


def changed(count: int) -> int:
    """Workflows edited (or flipped) in the 10% operations: ceil(N / 10)."""
    return math.ceil(count / 10)


def floor(operation: str, count: int, teams: int = 1) -> dict[str, int]:
    """The fewest calls, by route, that ``operation`` on ``count`` workflows can make."""
    k = changed(count)
    floors: dict[str, dict[str, int]] = {
        INITIAL_UP: {CREATE: count, **{route: teams for route in REGISTRY}},
        NOOP_PREVIEW: {},
        NOOP_UP: {},
        EDIT_UP: {PATCH: k},
        FLIP_UP: {TOGGLE: k},
        REFRESH: {LIST: list_pages(count)},
        DESTROY: {DELETE: count, LIST: list_pages(count)},
    }
    return floors[operation]


def writes(calls: Mapping[str, int]) -> dict[str, int]:
    """The write calls among ``calls``."""
    return {route: n for route, n in calls.items() if route in WRITES and n}


def reads(calls: Mapping[str, int]) -> int:
    """How many read (GET) calls ``calls`` holds."""
    return sum(n for route, n in calls.items() if route.startswith("GET "))


def target_problems(
    operation: str, count: int, calls: Mapping[str, int], teams: int = 1
) -> list[str]:
    """How ``calls`` misses the target of ``operation`` (empty when it meets it)."""
    k = changed(count)
    wanted_writes: dict[str, dict[str, int]] = {
        INITIAL_UP: {CREATE: count},
        NOOP_PREVIEW: {},
        NOOP_UP: {},
        EDIT_UP: {PATCH: k},
        FLIP_UP: {TOGGLE: k},
        REFRESH: {},
        DESTROY: {DELETE: count},
    }
    problems = []
    if writes(calls) != wanted_writes[operation]:
        problems.append(f"writes {writes(calls)} != {wanted_writes[operation]}")
    if operation in (NOOP_PREVIEW, NOOP_UP) and reads(calls) > 3 * teams:
        problems.append(f"{reads(calls)} reads > {3 * teams}")
    refresh_limit = math.ceil(count / PAGE_SIZE) + 2
    if operation == REFRESH and sum(calls.values()) > refresh_limit:
        problems.append(f"{sum(calls.values())} calls > {refresh_limit}")
    return problems
