"""The least each operation can cost in API calls, and the targets the provider is held to.

Routes are the emulator's counter keys (``METHOD /template``). The floor of an operation is what
it must cost whatever the implementation: one create per new workflow, one PATCH per edited one,
one toggle per flipped one, every page of the org for a refresh, one delete per workflow. A
listing costs what paging without a documented page base or page size takes (``list_pages``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

PAGE_SIZE = 100
EMULATOR_PAGE_BASE = 1  # the emulator counts pages from 1 and refuses page 0 with a 400
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


def list_pages(
    count: int,
    page_size: int = PAGE_SIZE,
    *,
    page_base: int = EMULATOR_PAGE_BASE,
    first: bool = True,
) -> int:
    """Calls a listing of ``count`` workflows takes at the page size the server serves.

    An empty org: one empty page. Otherwise every full page and the one after it, and at least
    two pages: a first page shorter than asked is never taken for the last (the server may cap
    the page size). A client's ``first`` listing starts at page 0 to learn the page base (U-24):
    one call more when the server counts from 1, or when the org is empty (page 1 is asked too).
    Each engine operation is a new provider process, so its listing is a first one.
    """
    walk = 1 if count == 0 else max(2, count // page_size + 1)
    detection = first and (page_base == 1 or count == 0)
    return walk + int(detection)


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
