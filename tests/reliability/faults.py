"""The fault matrix: each mutating call broken in each way, then `pulumi up` run again.

A case sets up a stack so that the next ``pulumi up`` makes the call under test (a create, a
PATCH, a toggle or a delete), arms one fault for that call, runs ``up``, disarms everything and
runs ``up`` again. The org must then equal the definitions exactly (nothing missing, duplicated,
flipped or bumped for nothing), Pulumi's state must agree with the org, a refreshing preview
must show no changes, and the API key must appear nowhere.

Used by ``test_fault_matrix.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pulumi_thena.emulator import EmulatorServer
from tests.reliability.checks import Expected, converged_problems, expected_from_files
from tests.reliability.harness import (
    Deployment,
    RunOutcome,
    new_api_key,
    open_deployment,
    workflow_yaml,
)

# The provider's per-request timeout in these runs, and how late a delayed answer comes.
TIMEOUT_SECONDS = 3
LATE_BY_SECONDS = 5
PROVIDER_ENV = {"THENA_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS)}
# Enough parallel cases to use two cores while each engine run waits on its processes.
DEFAULT_WORKERS = 3

Prepare = Callable[[Deployment], dict[str, Expected]]
"""Brings a fresh stack to where the next ``up`` makes the call; returns the end state."""


def _files(count: int) -> dict[str, str]:
    return {f"wf-{i}.yaml": workflow_yaml(i) for i in range(1, count + 1)}


def _prepare_create(deployment: Deployment) -> dict[str, Expected]:
    return expected_from_files(deployment, {})


def _prepare_patch(deployment: Deployment) -> dict[str, Expected]:
    _up_without_faults(deployment)
    path = deployment.project.workflows_dir / "wf-1.yaml"
    data = yaml.safe_load(path.read_text())
    data["name"] = "Reliability workflow 1, renamed"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return expected_from_files(deployment, {"wf-1": 2})


def _prepare_toggle(deployment: Deployment) -> dict[str, Expected]:
    _up_without_faults(deployment)
    deployment.set_activation("wf-1", False)
    return expected_from_files(deployment, {}, inactive=["wf-1"])


def _prepare_delete(deployment: Deployment) -> dict[str, Expected]:
    _up_without_faults(deployment)
    (deployment.project.workflows_dir / "wf-3.yaml").unlink()
    return expected_from_files(deployment, {})


def _up_without_faults(deployment: Deployment) -> None:
    outcome = deployment.up()
    if not outcome.ok:
        raise RuntimeError(f"the set-up `pulumi up` failed: {outcome.last_line}")


@dataclass(frozen=True)
class Call:
    """A mutating API call: where a fault is aimed, and how to make ``up`` call it."""

    key: str
    label: str
    method: str
    path: str
    files: int
    prepare: Prepare


@dataclass(frozen=True)
class Fault:
    """A way to break a call (an emulator fault action and its options)."""

    key: str
    label: str
    action: str
    options: dict[str, Any] = field(default_factory=dict)
    count: int = 1
    """How many matching requests to break: 1 is a blip, more outlasts the provider's retries."""


CALLS: tuple[Call, ...] = (
    Call("create", "create", "POST", "/api/v1/workflows", 2, _prepare_create),
    Call("patch", "PATCH", "PATCH", "/api/v1/workflows/*", 2, _prepare_patch),
    Call("toggle", "toggle", "POST", "/api/v1/workflows/*/toggle", 2, _prepare_toggle),
    Call("delete", "delete", "DELETE", "/api/v1/workflows/*", 3, _prepare_delete),
)
FAULTS: tuple[Fault, ...] = (
    Fault("503", "503 before the change", "status", {"status": 503}),
    Fault("drop", "change made, answer dropped", "commit_then_drop"),
    Fault(
        "late",
        f"change made, answer {LATE_BY_SECONDS}s late (timeout {TIMEOUT_SECONDS}s)",
        "commit_then_delay",
        {"delay_seconds": LATE_BY_SECONDS},
    ),
    Fault("429", "429 with Retry-After: 1", "rate_limit", {"retry_after": 1}),
    Fault("refuse", "connection refused for 1s", "refuse", {"seconds": 1}),
    Fault("503-all", "503 on every attempt of the run", "status", {"status": 503}, count=50),
)


@dataclass(frozen=True)
class Case:
    call: Call
    fault: Fault

    @property
    def id(self) -> str:
        return f"{self.call.key}-{self.fault.key}"

    @property
    def label(self) -> str:
        return f"{self.call.label} ({self.call.method} {self.call.path}): {self.fault.label}"


CASES: tuple[Case, ...] = tuple(Case(call, fault) for call in CALLS for fault in FAULTS)


@dataclass(frozen=True)
class CaseResult:
    """What happened in one case; ``problems`` empty means the org ended up correct."""

    case: Case
    first: RunOutcome
    second: RunOutcome
    problems: list[str]
    seconds: float

    @property
    def org_correct(self) -> bool:
        return not self.problems

    def row(self) -> list[str]:
        correct = "yes" if self.org_correct else "no: " + "; ".join(self.problems)
        return [self.case.label, self.first.describe(), self.second.describe(), correct]


def run_case(case: Case, workdir: Path, binary: str) -> CaseResult:
    """Break one call once during ``up``, run ``up`` again, and check where everything ended."""
    started = time.monotonic()
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        files = _files(case.call.files)
        deployment = open_deployment(workdir, binary, files, server, PROVIDER_ENV)
        try:
            expected = case.call.prepare(deployment)
            first, fired = _faulted_up(deployment, case)
            server.ensure_listening()
            second = deployment.up()
            problems = [] if fired else ["the fault never fired: the call was not made"]
            problems += converged_problems(deployment, expected)
        finally:
            deployment.close()
    return CaseResult(case, first, second, problems, time.monotonic() - started)


def _faulted_up(deployment: Deployment, case: Case) -> tuple[RunOutcome, int]:
    """Arm the fault, run ``up``, disarm; also how many requests the fault broke."""
    call, fault = case.call, case.fault
    control = deployment.control
    control.inject_fault(call.method, call.path, fault.action, fault.count, **fault.options)
    outcome = deployment.up()
    control.clear_faults()
    fired = sum(1 for request in control.requests() if request["fault"] == fault.action)
    return outcome, fired


def run_cases(
    cases: Iterable[Case], binary: str, workers: int = DEFAULT_WORKERS
) -> list[CaseResult]:
    """Run cases side by side, each with its own emulator, project and state; in input order."""
    with tempfile.TemporaryDirectory(prefix="thena-reliability-") as tmp:
        root = Path(tmp)

        def one(indexed: tuple[int, Case]) -> CaseResult:
            index, case = indexed
            workdir = root / f"{index:02d}-{case.id}"
            workdir.mkdir()
            return run_case(case, workdir, binary)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, enumerate(cases)))
