"""What the emulator tests share: the API target (with its cleanup) and request bodies."""

from __future__ import annotations

import os
import ssl
import uuid
from functools import cache
from typing import Any

import httpx

PROBE_PREFIX = "zz-probe-"
API = "/api/v1/workflows"
CONTROL = "/__emulator"


def control_headers(key: str) -> dict[str, str]:
    """What a control route needs besides a JSON body: the emulator's API key."""
    return {"x-api-key": key}


@cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every test client (building one per client costs ~20 ms)."""
    return ssl.create_default_context()


class ApiTarget:
    """Where the contract tests send requests, and the workflows they must clean up."""

    def __init__(self, base_url: str, key: str, live: bool) -> None:
        self.base_url, self.key, self.live = base_url, key, live
        self.http = httpx.Client(
            base_url=base_url, headers={"x-api-key": key}, timeout=30, verify=tls_context()
        )
        self.created: list[str] = []
        self._known_names: tuple[str, str] | None = None

    def team(self, name: str) -> str:
        """A team id for filters: THENA_LIVE_TEAM_ID in live mode, a made-up one locally."""
        return os.environ.get("THENA_LIVE_TEAM_ID", name) if self.live else name

    def registry_names(self) -> tuple[str, str]:
        """An event name and an activity identifier the target's registry really has."""
        if self._known_names is None:
            events = self.http.get(f"{API}/registry/events").json()
            activities = self.http.get(f"{API}/registry/activities").json()
            self._known_names = (events[0]["eventName"], activities[0]["uniqueIdentifier"])
        return self._known_names

    def body(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body named zz-probe-*, with top-level fields replaced by ``overrides``."""
        event, activity = self.registry_names() if self.live else ("ticket:created", "http:webhook")
        body: dict[str, Any] = {
            "name": f"{PROBE_PREFIX}{uuid.uuid4().hex[:10]}",
            "triggerEvent": event,
            "executingAgent": "probe-agent",
            "workflowDefinition": [step(1, activity)],
        }
        return {**body, **overrides}

    def create(self, **overrides: Any) -> dict[str, Any]:
        """Create a workflow (201 expected) and remember it for cleanup."""
        response = self.http.post(API, json=self.body(**overrides))
        assert response.status_code == 201, response.text
        workflow: dict[str, Any] = response.json()
        self.created.append(workflow["uniqueIdentifier"])
        return workflow

    def names_in_team(self, team: str) -> set[str]:
        """The names of the workflows listed for ``team`` (first 100)."""
        listed = self.http.get(API, params={"teamId": team, "limit": 100}).json()
        return {str(workflow["name"]) for workflow in listed}

    def cleanup(self) -> None:
        for identifier in self.created:
            self.http.delete(f"{API}/{identifier}")  # 404 is fine: a test deleted it already
        self.http.close()


def step(number: int, activity: str = "http:webhook", **fields: Any) -> dict[str, Any]:
    """One workflowDefinition step with an input, plus any extra fields."""
    return {
        "stepIdentifier": number,
        "activity": {"uniqueIdentifier": activity},
        "input": {"url": "https://example.invalid/hook"},
        **fields,
    }
