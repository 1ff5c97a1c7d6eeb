"""ThenaClient: one method per Workflows API endpoint (E1-E11), returning pydantic models.

One keep-alive ``httpx.Client`` per ThenaClient, safe to share between threads. Requests pass
through the shared rate limiter and the retry loop (see ``retry``), each attempt under a total
deadline and each answer read up to a size cap (see ``transport``); responses are decoded and
validated in ``responses``. Paths come from ``ApiPaths`` so that assumed routes can be corrected
without code changes; listings go through ``paging``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Generator, Mapping, Sequence
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
    MAX_PAGE_SIZE,
    ApiPaths,
    expand_path,
    unwrap_list,
    unwrap_object,
)
from pulumi_thena.client.clock import SYSTEM_CLOCK, Clock
from pulumi_thena.client.errors import AmbiguousWriteError, ThenaError, register_secret
from pulumi_thena.client.paging import PageBase, WorkflowPages
from pulumi_thena.client.ratelimit import (
    RateLimiter,
    burst_from_env,
    rate_from_env,
    shared_limiter,
)
from pulumi_thena.client.responses import (
    decode_json,
    is_empty,
    json_body,
    parse_model,
    parse_models,
)
from pulumi_thena.client.retry import (
    Retrier,
    RetryPolicy,
    WaitBudget,
    transport_error,
    wait_budget_from_env,
)
from pulumi_thena.client.stats import ClientStats
from pulumi_thena.client.transport import (
    ACCEPT_ENCODING,
    deadline,
    deadline_transport,
    read_answer,
)
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
        wait_budget_seconds: float | None = None,
    ) -> None:
        key = api_key or os.environ.get(ENV_API_KEY, "")
        if not key:
            raise ValueError(f"no Thena API key: pass api_key or set {ENV_API_KEY}")
        register_secret(key)
        self.base_url = base_url.rstrip("/")
        self.paths = paths or ApiPaths()
        self.stats = ClientStats()
        self.timeout = timeout
        self._clock = clock or SYSTEM_CLOCK
        rate = rate_from_env() if isinstance(rate_limit_rps, _Default) else rate_limit_rps
        burst = rate_limit_burst if rate_limit_burst is not None else burst_from_env()
        self._limiter = shared_limiter(self.base_url, rate, burst, self._clock)
        waits = wait_budget_seconds if wait_budget_seconds is not None else wait_budget_from_env()
        self._retrier = Retrier(
            retry or RetryPolicy(),
            self._clock,
            self._on_retry,
            limiter=self._limiter,
            waits=WaitBudget(waits),
            timeout=timeout,
        )
        self._page_base = PageBase()  # learned on the first listing (see paging)
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=_ApiKeyAuth(key),
            headers={
                "user-agent": user_agent,
                "accept": "application/json",
                "accept-encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            limits=CONNECTION_LIMITS,
            transport=transport or deadline_transport(self.base_url, CONNECTION_LIMITS),
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

    @property
    def wait_budget(self) -> WaitBudget:
        """The rate-limit waits this client may still make, over all its requests."""
        return self._retrier.waits

    @property
    def page_base(self) -> int | None:
        """The base of E7's page numbers, once a listing has shown it (U-24)."""
        return self._page_base.known

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

        return WorkflowPages(fetch, f"GET {template}", self._page_base)

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

    def toggle_workflow(self, unique_identifier: str) -> Workflow | None:
        """E10: flip ``isActive`` (U-9); never retried blindly, read the state after a failure.

        None when the answer has no body (200 or 204, U-25): read the workflow to see its state.
        """
        template = self.paths.toggle
        path = expand_path(template, unique_identifier=unique_identifier)
        response = self._send("POST", template, path)
        if response.status_code == 204 or is_empty(response):
            return None
        payload = unwrap_object(json_body("POST", path, response), "POST", path)
        return parse_model(Workflow, payload, "POST", path)

    def update_workflow(self, unique_identifier: str, body: Mapping[str, Any]) -> Workflow:
        """E11: partial update; every success creates a new version (U-18)."""
        template = self.paths.workflow
        path = expand_path(template, unique_identifier=unique_identifier)
        return self._object(Workflow, "PATCH", template, path, json=dict(body))

    def probe(self, path: str, params: Params | None = None) -> RawResponse:
        """One GET of ``path`` as it comes back: no retries, no error mapping (for ``doctor``).

        The answer is read under the same deadline and size cap as any other.
        """
        try:
            with self._limiter.slot(), deadline(self.timeout):
                response = self._exchange("GET", path, _query(params or {}), None)
                self._limiter.observe(response.headers)
        except httpx.RequestError as exc:
            raise transport_error("GET", path, exc) from exc
        try:
            body: Any = decode_json(response.content)
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
        self.stats.record_request(route)
        started = time.perf_counter()
        try:
            response = self._exchange(method, path, query, json)
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

    def _exchange(
        self, method: str, path: str, query: dict[str, str | int], json: dict[str, Any] | None
    ) -> httpx.Response:
        """One request and its whole answer, read as a stream up to the size cap."""
        request = self._http.build_request(method, path, params=query, json=json)
        return read_answer(self._http.send(request, stream=True), method, path)

    def _on_retry(self, method: str, path: str, error: ThenaError, sleep: float) -> None:
        self.stats.record_retry()
        logger.info("retrying %s %s in %.2fs after: %s", method, path, sleep, error)
