"""A small client for the emulator's test-control routes (``/__emulator/...``).

Used by the pytest plugin, benchmarks and tests. It talks only to the control routes, never to
Thena's API. It sends what the routes require: the emulator's API key (``x-api-key``) and, on
every POST, ``Content-Type: application/json``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from pulumi_thena.emulator.constants import DEFAULT_API_KEY

_CAMEL = {
    "latency_ms": "latencyMs",
    "rate_limit": "rateLimit",
    "window_seconds": "windowSeconds",
    "delay_seconds": "delaySeconds",
    "retry_after": "retryAfter",
    "content_type": "contentType",
    "response_shape": "responseShape",
    "page_base": "pageBase",
    "limit_cap": "limitCap",
    "empty_bodies": "emptyBodies",
    "message_attributes": "messageAttributes",
}


_FREE_FORM = frozenset({"payload", "actor", "messageAttributes", "entities", "results", "failures"})
"""Options whose values are the caller's own data: their keys are never renamed."""


def _camel(options: dict[str, Any]) -> dict[str, Any]:
    """Accept Python-style keyword names (``delay_seconds``) next to the wire names."""
    renamed = {}
    for key, value in options.items():
        name = _CAMEL.get(key, key)
        nested = isinstance(value, dict) and name not in _FREE_FORM
        renamed[name] = _camel(value) if nested else value
    return renamed


def _message(response: httpx.Response) -> str:
    """The emulator's error message(s), or the start of the body when it is not its error."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        return response.text[:200]
    return "; ".join(message) if isinstance(message, list) else str(message)


class EmulatorControl:
    """Reset, seed, inspect, configure and break a running emulator through its control routes."""

    def __init__(
        self, base_url: str, api_key: str = DEFAULT_API_KEY, timeout: float = 10.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self.base_url}/__emulator",
            headers={"x-api-key": api_key},
            timeout=timeout,
        )

    def reset(self) -> None:
        """Forget all workflows, executions, faults, counters and config changes."""
        self._call("POST", "/reset", {})

    def seed(self, **collections: Any) -> dict[str, Any]:
        """Store ``events``, ``activities``, ``workflows``, ``executions`` and ``tasks``."""
        result: dict[str, Any] = self._call("POST", "/seed", collections)
        return result

    def counters(self) -> dict[str, Any]:
        """``{"byRoute": {...}, "byPath": {...}, "total": n, "status429": n}``."""
        result: dict[str, Any] = self._call("GET", "/counters")
        return result

    def requests(self) -> list[dict[str, Any]]:
        """The API request log, oldest first."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")
        return result

    def workflows(self) -> list[dict[str, Any]]:
        """Every stored workflow at its current version, as stored, without paging."""
        result: list[dict[str, Any]] = self._call("GET", "/workflows")
        return result

    def fire_event(
        self, event_name: str, payload: dict[str, Any] | None = None, **options: Any
    ) -> dict[str, Any]:
        """Fire an event: every active workflow it triggers runs (``POST /__emulator/events``).

        ``options``: ``actor``, ``messageAttributes``, ``entities`` (by entityType or
        pathToAnnotate), ``results`` (step -> result) and ``failures`` (step -> failing attempts,
        None for every one). Returns ``{event, executions, notTriggered}``; each execution
        carries its ``tasks`` and open ``waits``.
        """
        body = {"eventName": event_name, "payload": payload or {}, **_camel(options)}
        result: dict[str, Any] = self._call("POST", "/events", body)
        return result

    def resolve(self, execution_id: str, step: int | str, decision: str) -> dict[str, Any]:
        """Approve or reject (``approve``, ``reject``) or end a sleep (``wake``) of a waiting step.

        Returns the execution with its tasks and the waits still open.
        """
        body = {"step": step, "decision": decision}
        result: dict[str, Any] = self._call("POST", f"/executions/{execution_id}/resolve", body)
        return result

    def inject_fault(
        self, method: str, path: str, action: str, count: int = 1, **options: Any
    ) -> dict[str, Any]:
        """Break the next ``count`` matching requests; options such as ``status=503``."""
        spec = {"method": method, "path": path, "action": action, "count": count, **options}
        result: dict[str, Any] = self._call("POST", "/faults", _camel(spec))
        return result

    def faults(self) -> list[dict[str, Any]]:
        """The faults still armed, in matching order."""
        result: list[dict[str, Any]] = self._call("GET", "/faults")
        return result

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Change settings (``latency_ms``, ``response_shape``, ``page_base``...); returns all."""
        result: dict[str, Any] = self._call("POST", "/config", _camel(settings))
        return result

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmulatorControl:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        # httpx sets Content-Type: application/json whenever a JSON body is given.
        response = self._http.request(method, path, json=body)
        if response.is_error:
            raise httpx.HTTPStatusError(
                f"{method} {self.base_url}/__emulator{path} answered {response.status_code}: "
                f"{_message(response)}",
                request=response.request,
                response=response,
            )
        return response.json()
