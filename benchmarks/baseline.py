"""The baseline: the script a team writes by hand instead of using the provider.

It keeps no state: each run lists the org to find each workflow's id by name, then PATCHes every
definition, one after another, whether it changed or not. Every run bumps every version.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.generate import bump_revision, sample, workflow
from benchmarks.sequence import UNTHROTTLED
from pulumi_thena.client import ThenaClient
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorControl

INITIAL = "initial (POST each)"
NOOP = "no-op run"
EDIT = "10% edited run"


@dataclass(frozen=True)
class BaselineRun:
    """One run of the hand-written script."""

    operation: str
    seconds: float
    calls: dict[str, int]
    versions_bumped: int

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "seconds": round(self.seconds, 3),
            "calls": dict(sorted(self.calls.items())),
            "totalCalls": sum(self.calls.values()),
            "versionsBumped": self.versions_bumped,
        }


def create_all(client: ThenaClient, definitions: list[dict[str, Any]]) -> None:
    """The script's first run: POST every definition."""
    for definition in definitions:
        client.create_workflow(definition)


def patch_all(client: ThenaClient, definitions: list[dict[str, Any]]) -> None:
    """Every later run: find ids by name, then PATCH every definition in full."""
    ids = {wf.name: wf.unique_identifier for wf in client.iter_workflows()}
    for definition in definitions:
        client.update_workflow(ids[definition["name"]], definition)


def run_baseline(
    count: int, latency_ms: float, rate_limit_rps: float = 1000.0
) -> list[BaselineRun]:
    """The initial, no-op and 10%-edited runs of the script on ``count`` workflows."""
    definitions = [workflow(index) for index in range(count)]
    edited = [dict(d) for d in definitions]
    for index in sample(count):
        edited[index] = workflow(index)
        bump_revision(edited[index])
    runs = []
    with _emulator(latency_ms, rate_limit_rps) as (client, control):
        for operation, step in (
            (INITIAL, lambda: create_all(client, definitions)),
            (NOOP, lambda: patch_all(client, definitions)),
            (EDIT, lambda: patch_all(client, edited)),
        ):
            runs.append(_measured(operation, step, control))
    return runs


@contextmanager
def _emulator(
    latency_ms: float, rate_limit_rps: float
) -> Iterator[tuple[ThenaClient, EmulatorControl]]:
    key = f"baseline-{secrets.token_hex(8)}"
    server = EmulatorServer(port=0, api_key=key, latency_ms=latency_ms, rate_limit=UNTHROTTLED)
    with (
        server,
        EmulatorControl(server.base_url, key) as control,
        ThenaClient(server.base_url, key, rate_limit_rps=rate_limit_rps) as client,
    ):
        yield client, control


def _measured(operation: str, step: Any, control: EmulatorControl) -> BaselineRun:
    before, versions = control.counters()["byRoute"], _versions(control)
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    after = control.counters()["byRoute"]
    calls = {route: n - before.get(route, 0) for route, n in after.items()}
    bumped = _versions(control) - versions if operation != INITIAL else 0
    return BaselineRun(operation, seconds, {r: n for r, n in calls.items() if n}, bumped)


def _versions(control: EmulatorControl) -> int:
    return sum(int(wf["version"]) for wf in control.workflows())
