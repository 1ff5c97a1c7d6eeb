"""Fault injection: each action, observed over real sockets, and whether the change was applied."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import pytest

from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, CONTROL, ApiTarget, control_headers

PATCH_ROUTE = "/api/v1/workflows/{workflowUniqueIdentifier}"


def _raw_exchange(base_url: str, request: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes on a fresh connection; everything received until the server closes."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _raw_patch(api: ApiTarget, identifier: str, body: bytes) -> bytes:
    head = (
        f"PATCH {API}/{identifier} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: {api.key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return _raw_exchange(api.base_url, head.encode() + body)


@pytest.fixture
def workflow(api: ApiTarget, emulator: EmulatorHandle) -> dict[str, Any]:
    return api.create()


def _version(api: ApiTarget, workflow: dict[str, Any]) -> int:
    version: int = api.http.get(f"{API}/{workflow['uniqueIdentifier']}").json()["version"]
    return version


def test_status_fault_answers_without_applying(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("PATCH", f"{API}/*", "status", status=503)
    path = f"{API}/{workflow['uniqueIdentifier']}"
    response = api.http.patch(path, json={"name": "changed"})
    assert response.status_code == 503
    assert response.json()["error"] == "Service Unavailable"
    assert "X-RateLimit-Limit" in response.headers
    assert _version(api, workflow) == 1
    assert api.http.patch(path, json={"name": "changed"}).status_code == 200  # count was 1


def test_drop_closes_without_answering_or_applying(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("PATCH", PATCH_ROUTE, "drop")
    assert _raw_patch(api, workflow["uniqueIdentifier"], b'{"name": "dropped"}') == b""
    assert _version(api, workflow) == 1
    log = emulator.control.requests()
    assert (log[-2]["status"], log[-2]["fault"]) == (None, "drop")


def test_commit_then_drop_applies_but_never_answers(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("PATCH", PATCH_ROUTE, "commit_then_drop")
    assert _raw_patch(api, workflow["uniqueIdentifier"], b'{"name": "committed"}') == b""
    current = api.http.get(f"{API}/{workflow['uniqueIdentifier']}").json()
    assert (current["version"], current["name"]) == (2, "committed")


def test_drop_is_seen_by_httpx_as_a_protocol_error(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("POST", f"{API}/*/toggle", "commit_then_drop")
    with pytest.raises(httpx.RemoteProtocolError):
        api.http.post(f"{API}/{workflow['uniqueIdentifier']}/toggle")
    assert api.http.get(f"{API}/{workflow['uniqueIdentifier']}").json()["isActive"] is False


def test_commit_then_delay_applies_then_outlasts_the_client(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("PATCH", PATCH_ROUTE, "commit_then_delay", delay_seconds=0.6)
    path = f"{API}/{workflow['uniqueIdentifier']}"
    with pytest.raises(httpx.ReadTimeout):
        api.http.patch(path, json={"name": "slow"}, timeout=0.2)
    assert api.http.get(path).json()["version"] == 2


def test_delay_then_normal_answer(
    api: ApiTarget, emulator: EmulatorHandle, workflow: dict[str, Any]
) -> None:
    emulator.control.inject_fault("GET", PATCH_ROUTE, "delay", delaySeconds=0.3)
    started = time.monotonic()
    response = api.http.get(f"{API}/{workflow['uniqueIdentifier']}")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3


def test_rate_limit_fault(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.inject_fault("GET", API, "rate_limit", retryAfter=7)
    response = api.http.get(API)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert api.http.get(API).status_code == 200
    assert emulator.control.counters()["status429"] == 1


def test_refuse_closes_the_port_then_reopens(api: ApiTarget, emulator: EmulatorHandle) -> None:
    assert api.http.get(API).status_code == 200  # leaves a keep-alive connection open
    idle = socket.create_connection((emulator.server.host, emulator.server.port))
    emulator.control.inject_fault("GET", API, "refuse", seconds=0.5)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{api.base_url}{API}", headers={"x-api-key": api.key})
    idle.settimeout(2)
    assert idle.recv(1) == b""  # existing connections were closed
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{api.base_url}{API}/health")
    time.sleep(0.7)
    assert api.http.get(API).status_code == 200  # same port, and the stale pool recovers


def test_a_refuse_window_can_be_ended_early(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.inject_fault("GET", API, "refuse", seconds=30)
    with pytest.raises(httpx.RemoteProtocolError):
        api.http.get(API)
    emulator.server.ensure_listening()  # what the plugin does before each test's reset
    assert api.http.get(API).status_code == 200


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (502, "<html><body>Bad Gateway</body></html>", "text/html"),
        (500, "", "application/json"),
        (200, "{not json", "application/json"),
        (200, '{"unexpected": "shape"}', "application/json"),
    ],
)
def test_raw_answers_exactly_what_was_asked(
    api: ApiTarget, emulator: EmulatorHandle, status: int, body: str, content_type: str
) -> None:
    emulator.control.inject_fault(
        "GET", API, "raw", status=status, body=body, content_type=content_type
    )
    response = api.http.get(API)
    assert (response.status_code, response.text) == (status, body)
    assert response.headers["content-type"] == content_type
    assert api.http.get(API).json() == []  # the connection stays usable


def test_faults_match_in_order_and_count_down(api: ApiTarget, emulator: EmulatorHandle) -> None:
    emulator.control.inject_fault("GET", API, "status", count=2, status=500)
    emulator.control.inject_fault("*", "/api/*", "status", status=418)
    assert [f["count"] for f in emulator.control.faults()] == [2, 1]
    statuses = [api.http.get(API).status_code for _ in range(4)]
    assert statuses == [500, 500, 418, 200]
    assert emulator.control.faults() == []


def test_faults_can_target_by_method_and_be_cleared(
    api: ApiTarget, emulator: EmulatorHandle
) -> None:
    emulator.control.inject_fault("DELETE", f"{API}/*", "status", status=500, count=5)
    assert api.http.get(API).status_code == 200
    emulator.control.clear_faults()
    assert emulator.control.faults() == []


@pytest.mark.parametrize(
    "spec",
    [
        {"path": "/x", "action": "explode"},
        {"path": "no-slash", "action": "drop"},
        {"path": "/x", "action": "drop", "count": 0},
        {"path": "/x", "action": "delay", "delaySeconds": "soon"},
        {"path": "/x", "action": "drop", "colour": "red"},
    ],
)
def test_bad_faults_are_400(emulator: EmulatorHandle, spec: dict[str, Any]) -> None:
    url = f"{emulator.base_url}{CONTROL}/faults"
    assert httpx.post(url, json=spec, headers=control_headers(emulator.api_key)).status_code == 400
