"""ThenaClient: one method per Workflows API endpoint (E1-E11), returning pydantic models.

One keep-alive ``httpx.Client`` per ThenaClient, safe to share between threads. Requests pass
through the shared rate limiter, then the retry loop (see ``retry.classify``); responses are
decoded and validated in ``responses``. Paths come from ``ApiPaths`` so that assumed routes can be
corrected without code changes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from pulumi_thena.client.assumptions import (
    DEFAULT_BASE_URL,
    DEFAULT_PAGE_SIZE,
    FIRST_PAGE,
    MAX_PAGE_SIZE,
    MAX_PAGES,
    ApiPaths,
    expand_path,
    unwrap_list,
    unwrap_object,
)
from pulumi_thena.client.clock import SYSTEM_CLOCK, Clock
from pulumi_thena.client.errors import (
    AmbiguousWriteError,
    ThenaError,
    UnexpectedResponseError,
    register_secret,
)
from pulumi_thena.client.ratelimit import (
    RateLimiter,
    burst_from_env,
    rate_from_env,
    shared_limiter,
)
from pulumi_thena.client.responses import json_body, parse_model, parse_models
from pulumi_thena.client.retry import Retrier, RetryPolicy, transport_error
from pulumi_thena.client.stats import ClientStats
from pulumi_thena.models import (
    FilterOperatorCatalog,
    RegistryActivity,
    RegistryEvent,
    Workflow,
    WorkflowExecution,
    WorkflowTask,
)

logger = logging.getLogger("pulumi_thena.client")

M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, str | int | None]

ENV_API_KEY = "THENA_API_KEY"
# Sized for the four threads the Pulumi engine runs resource operations on, with headroom.
CONNECTION_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=4)


def _default_user_agent() -> str:
    try:
        return f"pulumi-thena/{version('pulumi-thena')}"
    except PackageNotFoundError:  # pragma: no cover - only when run from an uninstalled tree
        return "pulumi-thena"


DEFAULT_USER_AGENT = _default_user_agent()


class _ApiKeyAuth(httpx.Auth):
    """Adds ``x-api-key`` to each request, so the key sits in no default headers or repr."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["x-api-key"] = self._key
        yield request

    def __repr__(self) -> str:
        return "_ApiKeyAuth(***)"


class _Default(Enum):
    TOKEN = "default"


_FROM_ENV = _Default.TOKEN


def _iso_utc(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z suffix; a naive datetime is taken to be UTC already."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _query(params: Params) -> dict[str, str | int]:
    return {name: value for name, value in params.items() if value is not None}


@dataclass(frozen=True)
class RawResponse:
    """An answer as it came: status, headers (lower-case names) and JSON body (None if not JSON)."""

    status: int
    headers: Mapping[str, str]
    body: Any


class ThenaClient:
    """A synchronous, thread-safe client of the Thena Workflows API."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        rate_limit_rps: float | _Default | None = _FROM_ENV,
        rate_limit_burst: int | None = None,
        paths: ApiPaths | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        clock: Clock | None = None,
    ) -> None:
        key = api_key or os.environ.get(ENV_API_KEY, "")
        if not key:
            raise ValueError(f"no Thena API key: pass api_key or set {ENV_API_KEY}")
        register_secret(key)
        self.base_url = base_url.rstrip("/")
        self.paths = paths or ApiPaths()
        self.stats = ClientStats()
        self._clock = clock or SYSTEM_CLOCK
        self._retrier = Retrier(retry or RetryPolicy(), self._clock, self._on_retry)
        rate = rate_from_env() if isinstance(rate_limit_rps, _Default) else rate_limit_rps
        burst = rate_limit_burst if rate_limit_burst is not None else burst_from_env()
        self._limiter = shared_limiter(self.base_url, rate, burst, self._clock)
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=_ApiKeyAuth(key),
            headers={"user-agent": user_agent, "accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=CONNECTION_LIMITS,
            transport=transport,
            follow_redirects=False,  # never carry the key to another host
        )

    def __repr__(self) -> str:
        return f"ThenaClient(base_url={self.base_url!r})"

    def __enter__(self) -> ThenaClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retrier.policy

    @property
    def rate_limiter(self) -> RateLimiter:
        """The limiter this client paces its requests with (shared per base URL and settings)."""
        return self._limiter

    # --- E1-E11 -----------------------------------------------------------------------------

    def get_filter_operators(self) -> FilterOperatorCatalog:
        """E1: the operators usable in workflow and step filters."""
        template = self.paths.filter_operators
        return self._object(FilterOperatorCatalog, "GET", template, template)

    def create_workflow(self, body: Mapping[str, Any]) -> Workflow:
        """E2: create a workflow (version 1); AmbiguousWriteError when the outcome is unknown."""
        template = self.paths.workflows
        return self._object(Workflow, "POST", template, template, json=dict(body))

    def delete_workflow(self, unique_identifier: str) -> None:
        """E3: delete a workflow; any 2xx is success (U-11), 404 raises NotFoundError."""
        template = self.paths.workflow
        path = expand_path(template, unique_identifier=unique_identifier)
        self._send("DELETE", template, path)

    def list_activities(self, team_id: str | None = None) -> list[RegistryActivity]:
        """E4: the activity registry (organization-wide when no team is given)."""
        template = self.paths.activities
        return self._list(RegistryActivity, template, template, {"teamId": team_id})

    def list_executions(
        self,
        workflow_id: str,
        *,
        version: int | None = None,
        status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[WorkflowExecution]:
        """E5: the runs of one workflow, optionally by version, status and startedAt window."""
        if not workflow_id:
            raise ValueError("workflow_id must be a non-empty string")
        params: Params = {
            "workflowId": workflow_id,
            "version": version,
            "status": status,
            "from": _iso_utc(since) if since else None,
            "to": _iso_utc(until) if until else None,
        }
        template = self.paths.executions
        return self._list(WorkflowExecution, template, template, params)

    def list_tasks(self, execution_id: str) -> list[WorkflowTask]:
        """E6: the tasks of one execution (its ``id``, not a workflow id)."""
        template = self.paths.tasks
        path = expand_path(template, execution_id=execution_id)
        return self._list(WorkflowTask, template, path, {})

    def iter_workflows(
        self,
        *,
        team_id: str | None = None,
        type: str | None = None,
        sub_types: Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> WorkflowPages:
        """E7: every workflow, fetched page by page; ``.pages_fetched`` counts the requests."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        joined = sub_types if isinstance(sub_types, str) else ",".join(sub_types or ()) or None
        filters: Params = {"teamId": team_id, "type": type, "subTypes": joined}
        template = self.paths.workflows

        def fetch(page: int) -> list[Workflow]:
            params = {**filters, "page": page, "limit": page_size}
            return self._list(Workflow, template, template, params)

        return WorkflowPages(fetch, page_size, f"GET {template}")

    def list_workflows(
        self,
        *,
        team_id: str | None = None,
        type: str | None = None,
        sub_types: Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> list[Workflow]:
        """E7: every workflow as a list (all pages)."""
        pages = self.iter_workflows(
            team_id=team_id, type=type, sub_types=sub_types, page_size=page_size
        )
        return list(pages)

    def get_workflow(self, unique_identifier: str, *, version: int | None = None) -> Workflow:
        """E8: one workflow, its current version unless ``version`` is given."""
        template = self.paths.workflow
        path = expand_path(template, unique_identifier=unique_identifier)
        return self._object(Workflow, "GET", template, path, params={"version": version})

    def list_events(self, team_id: str | None = None) -> list[RegistryEvent]:
        """E9: the event registry (organization-wide when no team is given)."""
        template = self.paths.events
        return self._list(RegistryEvent, template, template, {"teamId": team_id})

    def toggle_workflow(self, unique_identifier: str) -> Workflow:
        """E10: flip ``isActive`` (U-9); never retried blindly, read the state after a failure."""
        template = self.paths.toggle
        path = expand_path(template, unique_identifier=unique_identifier)
        return self._object(Workflow, "POST", template, path)

    def update_workflow(self, unique_identifier: str, body: Mapping[str, Any]) -> Workflow:
        """E11: partial update; every success creates a new version (U-18)."""
        template = self.paths.workflow
        path = expand_path(template, unique_identifier=unique_identifier)
        return self._object(Workflow, "PATCH", template, path, json=dict(body))

    def probe(self, path: str, params: Params | None = None) -> RawResponse:
        """One GET of ``path`` as it comes back: no retries, no error mapping (for ``doctor``)."""
        self._limiter.acquire()
        try:
            response = self._http.get(path, params=_query(params or {}))
        except httpx.RequestError as exc:
            raise transport_error("GET", path, exc) from exc
        self._limiter.observe(response.headers)
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        return RawResponse(response.status_code, dict(response.headers), body)

    # --- plumbing ---------------------------------------------------------------------------

    def _object(
        self,
        model: type[M],
        method: str,
        template: str,
        path: str,
        *,
        params: Params | None = None,
        json: dict[str, Any] | None = None,
    ) -> M:
        response = self._send(method, template, path, params=params, json=json)
        payload = unwrap_object(json_body(method, path, response), method, path)
        return parse_model(model, payload, method, path)

    def _list(self, model: type[M], template: str, path: str, params: Params) -> list[M]:
        response = self._send("GET", template, path, params=params)
        items = unwrap_list(json_body("GET", path, response), "GET", path)
        return parse_models(model, items, "GET", path)

    def _send(
        self,
        method: str,
        template: str,
        path: str,
        *,
        params: Params | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        route = f"{method} {template}"
        query = _query(params or {})
        try:
            return self._retrier.send(
                method, path, lambda: self._attempt(route, method, path, query, json)
            )
        except AmbiguousWriteError:
            self.stats.record_ambiguous()
            raise

    def _attempt(
        self,
        route: str,
        method: str,
        path: str,
        query: dict[str, str | int],
        json: dict[str, Any] | None,
    ) -> httpx.Response:
        self._limiter.acquire()
        self.stats.record_request(route)
        started = time.perf_counter()
        try:
            response = self._http.request(method, path, params=query, json=json)
        except httpx.RequestError as exc:
            self.stats.record_transport_error()
            logger.debug(
                "%s %s failed after %.3fs: %s",
                method,
                path,
                time.perf_counter() - started,
                type(exc).__name__,
            )
            raise
        self.stats.record_status(response.status_code, route)
        logger.debug(
            "%s %s -> %d in %.3fs",
            method,
            path,
            response.status_code,
            time.perf_counter() - started,
        )
        self._limiter.observe(response.headers)
        return response

    def _on_retry(self, method: str, path: str, error: ThenaError, sleep: float) -> None:
        self.stats.record_retry()
        logger.info("retrying %s %s in %.2fs after: %s", method, path, sleep, error)


class WorkflowPages(Iterator[Workflow]):
    """Workflows of E7, page by page, each yielded once; stops at a short or repeated page."""

    def __init__(self, fetch: Callable[[int], list[Workflow]], page_size: int, route: str) -> None:
        self.pages_fetched = 0
        self._fetch = fetch
        self._page_size = page_size
        self._route = route
        self._items = self._walk()

    def __iter__(self) -> WorkflowPages:
        return self

    def __next__(self) -> Workflow:
        return next(self._items)

    def _walk(self) -> Iterator[Workflow]:
        seen: set[str] = set()
        previous_first: str | None = None
        for page in range(FIRST_PAGE, FIRST_PAGE + MAX_PAGES):
            items = self._fetch(page)
            self.pages_fetched += 1
            if items and items[0].unique_identifier == previous_first:
                logger.warning(
                    "%s ignores paging: page %d repeats page %d", self._route, page, page - 1
                )
                return
            yield from self._unseen(items, seen)
            if len(items) < self._page_size:
                return
            previous_first = items[0].unique_identifier
        method, _, path = self._route.partition(" ")
        raise UnexpectedResponseError(method, path, f"still full pages after {MAX_PAGES} pages")

    @staticmethod
    def _unseen(items: list[Workflow], seen: set[str]) -> Iterator[Workflow]:
        # Items shift between pages when workflows are created meanwhile; yield each once.
        for workflow in items:
            if workflow.unique_identifier not in seen:
                seen.add(workflow.unique_identifier)
                yield workflow
