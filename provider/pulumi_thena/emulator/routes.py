"""Thin routing: method + path template -> one backend call, with query parsing.

Fixed segments (``executions``, ``filter-operators``, ``registry``, ``health``) are listed before
the parameterised routes and the first match wins (SPEC section 2, routing note). Routes under
``/__emulator`` are test controls, not Thena's API: they take the API key like the API, but no
rate limit, and are not counted. ``GET /api/v1/workflows/health`` is an emulator convenience
(U-5): it needs no key and is not rate-limited, but it is logged and counted like the API and
faults can target it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from pulumi_thena.emulator.backend import Backend, ExecutionQuery, WorkflowQuery
from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.emulator.ids import parse_instant
from pulumi_thena.spec.statuses import EXECUTION_STATUSES

API = "/api/v1/workflows"
CONTROL = "/__emulator"
WORKFLOW = f"{API}/{{workflowUniqueIdentifier}}"
NO_BODY: Any = object()
"""A reply body meaning "answer with an empty body" (U-25), as opposed to JSON ``null``."""


@dataclass(frozen=True)
class Request:
    """One parsed request as a route sees it."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""

    def json(self) -> Any:
        """The body as JSON (None when empty); BadRequest when it is not JSON."""
        if not self.raw_body.strip():
            return None
        try:
            return json.loads(self.raw_body)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest(f"the request body is not valid JSON: {error}") from error


Reply = tuple[int, Any]
Action = Callable[[Backend, Request], Reply]


@dataclass(frozen=True)
class Route:
    """A method and path template, what to call, and whether it is part of Thena's API."""

    method: str
    template: str
    action: Action
    api: bool = True
    needs_key: bool = True

    @property
    def control(self) -> bool:
        """A test-control route (``/__emulator``), not part of Thena's API."""
        return not self.api

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when method and path fit this route, else None."""
        if method != self.method:
            return None
        wanted, given = self.template.split("/"), path.split("/")
        if len(wanted) != len(given):
            return None
        params: dict[str, str] = {}
        for pattern, segment in zip(wanted, given, strict=True):
            if pattern.startswith("{") and segment:
                params[pattern[1:-1]] = unquote(segment)
            elif pattern != segment:
                return None
        return params


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The first route that fits, with its path parameters."""
    path = path.rstrip("/") or "/"
    for route in ROUTES:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None


# -- query parsing ---------------------------------------------------------------------------


def _whole_number(query: dict[str, str], name: str, low: int) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    if not text.strip().isdigit() or int(text) < low:
        raise BadRequest(f"{name} must be a whole number of at least {low}")
    return int(text)


def _instant(query: dict[str, str], name: str) -> Any:
    text = query.get(name)
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise BadRequest(
            f"{name} must be an ISO-8601 date-time or epoch time (10 or 13 digits)"
        ) from error


def workflow_query(query: dict[str, str]) -> WorkflowQuery:
    """The list's filters and page; the backend checks the page against the page base."""
    sub_types = query.get("subTypes")
    return WorkflowQuery(
        team_id=query.get("teamId"),
        type=query.get("type"),
        sub_types=frozenset(s.strip() for s in sub_types.split(",")) if sub_types else None,
        page=_whole_number(query, "page", 0),
        limit=_whole_number(query, "limit", 1),
    )


def execution_query(query: dict[str, str]) -> ExecutionQuery:
    workflow_id = query.get("workflowId", "").strip()
    if not workflow_id:
        raise BadRequest("workflowId should not be empty")
    status = query.get("status")
    if status is not None and status not in EXECUTION_STATUSES:
        raise BadRequest(
            f"status must be one of the following values: {', '.join(EXECUTION_STATUSES)}"
        )
    return ExecutionQuery(
        workflow_id=workflow_id,
        version=_whole_number(query, "version", 1),
        status=status,
        start=_instant(query, "from"),
        end=_instant(query, "to"),
    )


# -- the API (E1-E11) ------------------------------------------------------------------------


def _ok(body: Any) -> Reply:
    return 200, body


def _id(request: Request) -> str:
    return request.params["workflowUniqueIdentifier"]


def _get_workflow(backend: Backend, request: Request) -> Reply:
    version = _whole_number(request.query, "version", 1)
    return _ok(backend.get_workflow(_id(request), version))


def _toggle_workflow(backend: Backend, request: Request) -> Reply:
    workflow = backend.toggle_workflow(_id(request))
    return _ok(NO_BODY if backend.empty_bodies() else workflow)


def _delete_workflow(backend: Backend, request: Request) -> Reply:
    workflow = backend.delete_workflow(_id(request))
    return (204, NO_BODY) if backend.empty_bodies() else _ok(workflow)


API_ROUTES = [
    Route("GET", f"{API}/health", lambda b, r: _ok({"status": "ok"}), needs_key=False),
    Route("GET", f"{API}/filter-operators", lambda b, r: _ok(b.filter_operators())),
    Route(
        "GET",
        f"{API}/registry/activities",
        lambda b, r: _ok(b.list_activities(r.query.get("teamId"))),
    ),
    Route("GET", f"{API}/registry/events", lambda b, r: _ok(b.list_events(r.query.get("teamId")))),
    Route(
        "GET", f"{API}/executions", lambda b, r: _ok(b.list_executions(execution_query(r.query)))
    ),
    Route("GET", API, lambda b, r: _ok(b.list_workflows(workflow_query(r.query)))),
    Route("POST", API, lambda b, r: (201, b.create_workflow(r.json()))),
    Route(
        "GET",
        f"{API}/{{workflowInstanceId}}/tasks",
        lambda b, r: _ok(b.list_tasks(r.params["workflowInstanceId"])),
    ),
    Route("POST", f"{WORKFLOW}/toggle", _toggle_workflow),
    Route("GET", WORKFLOW, _get_workflow),
    Route("PATCH", WORKFLOW, lambda b, r: _ok(b.update_workflow(_id(r), r.json()))),
    Route("DELETE", WORKFLOW, _delete_workflow),
]


# -- test control (/__emulator) --------------------------------------------------------------


def _reset(backend: Backend, request: Request) -> Reply:
    backend.reset()
    return _ok({"reset": True})


def _clear_faults(backend: Backend, request: Request) -> Reply:
    backend.clear_faults()
    return _ok([])


def _control(method: str, path: str, action: Action) -> Route:
    return Route(method, f"{CONTROL}/{path}", action, api=False)


CONTROL_ROUTES = [
    _control("POST", "reset", _reset),
    _control("POST", "seed", lambda b, r: _ok(b.seed(r.json()))),
    _control("GET", "requests", lambda b, r: _ok(b.requests())),
    _control("GET", "counters", lambda b, r: _ok(b.counters())),
    _control("GET", "workflows", lambda b, r: _ok(b.stored_workflows())),
    _control("POST", "events", lambda b, r: _ok(b.fire_event(r.json()))),
    _control(
        "POST",
        "executions/{executionId}/resolve",
        lambda b, r: _ok(b.resolve_wait(r.params["executionId"], r.json())),
    ),
    _control("GET", "faults", lambda b, r: _ok(b.faults())),
    _control("POST", "faults", lambda b, r: _ok(b.add_fault(r.json()))),
    _control("DELETE", "faults", _clear_faults),
    _control("GET", "config", lambda b, r: _ok(b.settings())),
    _control("POST", "config", lambda b, r: _ok(b.configure(r.json()))),
]

ROUTES: list[Route] = [*API_ROUTES, *CONTROL_ROUTES]
