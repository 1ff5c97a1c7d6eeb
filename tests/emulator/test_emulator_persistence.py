"""Persistence with a state file: restarts lose nothing; a failed write leaves the old file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.store import State, load_state, save_state
from pulumi_thena.emulator.traffic import RateLimit
from tests.emulator.support import API, CONTROL, control_headers

BODY = {
    "name": "persisted",
    "triggerEvent": "ticket:created",
    "executingAgent": "agent",
    "workflowDefinition": [{"stepIdentifier": 1, "activity": {"uniqueIdentifier": "http:webhook"}}],
}


def _client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers={"x-api-key": server.api_key})


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "emulator.json"
    with EmulatorServer(state_file=state_file) as server, _client(server) as http:
        identifier = http.post(API, json=BODY).json()["uniqueIdentifier"]
        http.patch(f"{API}/{identifier}", json={"name": "persisted-v2"})
        http.post(f"{API}/{identifier}/toggle")
        before = http.get(f"{API}/{identifier}").json()
    with EmulatorServer(state_file=state_file) as server, _client(server) as http:
        assert http.get(f"{API}/{identifier}").json() == before
        assert http.get(f"{API}/{identifier}", params={"version": 1}).json()["name"] == "persisted"
    assert json.loads(state_file.read_text())["workflows"][identifier][1]["version"] == 2
    assert [p.name for p in state_file.parent.iterdir()] == ["emulator.json"]  # no temp files


def test_each_change_is_on_disk_before_the_answer(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    with EmulatorServer(state_file=state_file) as server, _client(server) as http:
        identifier = http.post(API, json=BODY).json()["uniqueIdentifier"]
        assert identifier in load_state(state_file).workflows
        http.delete(f"{API}/{identifier}")
        assert identifier not in load_state(state_file).workflows


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state_file = tmp_path / "emulator.json"
    save_state(state_file, State())
    before = state_file.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    changed = State(workflows={"W": []})
    with pytest.raises(OSError, match="disk full"):
        save_state(state_file, changed)
    assert state_file.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["emulator.json"]


def test_without_a_state_file_a_restart_starts_empty() -> None:
    with EmulatorServer() as server, _client(server) as http:
        http.post(API, json=BODY)
    with EmulatorServer() as server, _client(server) as http:
        assert http.get(API).json() == []


def test_start_options_set_the_config(tmp_path: Path) -> None:
    server = EmulatorServer(api_key="another-key", latency_ms=5, rate_limit=RateLimit(7, 2))
    with server, _client(server) as http:
        response = http.get(API)
        assert response.headers["X-RateLimit-Limit"] == "7"
        config = httpx.get(
            f"{server.base_url}{CONTROL}/config", headers=control_headers(server.api_key)
        ).json()
        assert config == {
            "latencyMs": 5,
            "rateLimit": {"limit": 7, "windowSeconds": 2},
            "deny": [],
            "responseShape": "request",
            "pageBase": 1,
            "limitCap": 100,
            "order": "desc",
            "emptyBodies": False,
        }
