"""Test doubles for the client tests: a fake clock, a scripted MockTransport and JSON factories."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from pulumi_thena.client import ApiPaths, Clock, RetryPolicy, ThenaClient

BASE_URL = "https://thena.test"
API_KEY = "tk_live_SECRET-key-0123456789abcdef"

Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Time that moves only when someone sleeps; records every sleep."""

    EPOCH = 1_700_000_000.0

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> float:
        return self.EPOCH + self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep)


class Script:
    """A MockTransport handler answering with the given steps in order (the last one repeats)."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            step = self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]
        if isinstance(step, Exception):
            raise _bind(step, request)
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    @property
    def count(self) -> int:
        return len(self.requests)


def _bind(error: Exception, request: httpx.Request) -> Exception:
    if isinstance(error, httpx.RequestError):
        return type(error)(str(error) or type(error).__name__, request=request)
    return error


def make_client(
    handler: Callable[[httpx.Request], httpx.Response],
    clock: FakeClock | None = None,
    *,
    retry: RetryPolicy | None = None,
    paths: ApiPaths | None = None,
    rate_limit_rps: float | None = None,
) -> ThenaClient:
    return ThenaClient(
        BASE_URL,
        API_KEY,
        transport=httpx.MockTransport(handler),
        clock=(clock or FakeClock()).clock(),
        retry=retry,
        paths=paths,
        rate_limit_rps=rate_limit_rps,
    )


def workflow_json(unique_identifier: str = "wf-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uid": f"{unique_identifier}-v1",
        "uniqueIdentifier": unique_identifier,
        "name": "Escalate",
        "version": 1,
        "type": "MANUAL",
        "subType": "WORKFLOW",
        "triggerEvent": {"uid": "ev-1", "eventName": "ticket:created"},
        "filters": {},
        "annotations": [],
        "workflowDefinition": [
            {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "tickets:add-comment"}}
        ],
        "executingAgent": "bot",
        "isActive": True,
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-01T00:00:00Z",
        "createdBy": "user-1",
    }
    body.update(overrides)
    return body


def execution_json(id_: str = "ex-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": id_,
        "workflowId": "wf-1",
        "version": 1,
        "status": "FINISHED",
        "context": {},
        "startedAt": "2024-01-01T00:00:00Z",
        "lastUpdatedAt": "2024-01-01T00:00:01Z",
    }
    body.update(overrides)
    return body


def task_json(id_: str = "task-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": id_,
        "stepIdentifier": 1,
        "activity": "tickets:add-comment",
        "status": "FINISHED",
        "input": {},
        "result": {},
        "isRetry": False,
        "isCompensation": False,
        "executionTime": 2.5,
        "startedAt": "2024-01-01T00:00:00Z",
        "lastUpdatedAt": "2024-01-01T00:00:01Z",
    }
    body.update(overrides)
    return body


def event_json(uid: str = "ev-1", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"uid": uid, "eventName": "ticket:created", "source": "platform_app"}
    body.update(overrides)
    return body


def activity_json(
    unique_identifier: str = "tickets:add-comment", **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"uniqueIdentifier": unique_identifier, "version": 1, "name": "Add"}
    body.update(overrides)
    return body


def catalog_json() -> dict[str, Any]:
    return {
        "operators": [{"operator": "~eq", "category": "comparison"}],
        "logicalOperators": [{"operator": "~and"}, {"operator": "~or"}],
    }


def error_json(status: int, *messages: str, error: str = "Error") -> dict[str, Any]:
    message: str | list[str] = messages[0] if len(messages) == 1 else list(messages)
    return {"statusCode": status, "message": message, "error": error}


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def raw(status: int, text: str, content_type: str = "text/plain") -> httpx.Response:
    return httpx.Response(status, text=text, headers={"content-type": content_type})
