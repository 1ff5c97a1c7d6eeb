"""Load under a rate limit: many workflows against an emulator that allows a few requests a second.

``up``, a no-op ``up``, ``refresh`` and ``destroy`` must all complete: a 429 means nothing was
applied, so every call may wait and retry, and the client's shared token bucket (set to the same
rate through THENA_RATE_LIMIT_RPS) keeps 429s rare. The figures (time, requests and 429s per
step) go into the report; the test asserts only what is deterministic.

Used by ``test_load.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.traffic import RateLimit
from tests.reliability.checks import (
    expected_from_files,
    leak_problems,
    org_problems,
    pending_problems,
    state_problems,
    unmanaged,
)
from tests.reliability.harness import (
    WRITES,
    Deployment,
    RunOutcome,
    new_api_key,
    open_deployment,
    workflow_yaml,
)

DEFAULT_COUNT = 200
DEFAULT_RPS = 10


@dataclass(frozen=True)
class StepFigures:
    """One engine step under load: how it ended, how long it took, what the emulator saw."""

    step: str
    outcome: RunOutcome
    seconds: float
    requests: int
    status429: int
    writes: int

    def row(self) -> list[str]:
        return [
            self.step,
            self.outcome.describe(),
            f"{self.seconds:.1f}",
            str(self.requests),
            str(self.writes),
            str(self.status429),
        ]


@dataclass(frozen=True)
class LoadResult:
    count: int
    rps: int
    steps: list[StepFigures]
    problems: list[str]

    @property
    def requests(self) -> int:
        return sum(step.requests for step in self.steps)

    @property
    def status429(self) -> int:
        return sum(step.status429 for step in self.steps)


def _timed_step(deployment: Deployment, name: str, *args: str) -> StepFigures:
    before = deployment.control.counters()
    started = time.monotonic()
    outcome = deployment.pulumi(*args, check=False)
    seconds = time.monotonic() - started
    after = deployment.control.counters()
    return StepFigures(
        name,
        outcome,
        seconds,
        after["total"] - before["total"],
        after["status429"] - before["status429"],
        _writes(after) - _writes(before),
    )


def _writes(counters: dict[str, Any]) -> int:
    return sum(counters["byRoute"].get(route, 0) for route in WRITES)


STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("up", ("up", "--yes", "--skip-preview")),
    ("no-op up", ("up", "--yes", "--skip-preview", "--expect-no-changes")),
    ("refresh", ("refresh", "--yes", "--expect-no-changes")),
    ("destroy", ("destroy", "--yes")),
)


def run_load(
    workdir: Path, binary: str, count: int = DEFAULT_COUNT, rps: int = DEFAULT_RPS
) -> LoadResult:
    """Deploy ``count`` workflows, no-op, refresh and destroy under ``rps`` requests a second."""
    files = {f"load-{i:03d}.yaml": workflow_yaml(i) for i in range(1, count + 1)}
    env = {"THENA_RATE_LIMIT_RPS": str(rps)}
    limit = RateLimit(limit=rps, window_seconds=1)
    with EmulatorServer(port=0, api_key=new_api_key(), rate_limit=limit) as server:
        deployment = open_deployment(workdir, binary, files, server, env)
        try:
            return _steps(deployment, count, rps)
        finally:
            deployment.close()


def _steps(deployment: Deployment, count: int, rps: int) -> LoadResult:
    expected = expected_from_files(deployment, {})
    figures, problems = [], []
    for name, args in STEPS:
        step = _timed_step(deployment, name, *args)
        figures.append(step)
        if not step.outcome.ok:
            problems.append(f"{name} failed: {step.outcome.last_line}")
        if name == "up":
            problems += _deployed_problems(deployment, expected)
        elif name in ("no-op up", "refresh") and step.writes:
            problems.append(f"{name} made {step.writes} writes, expected none")
    live = deployment.control.workflows()
    problems += [f"{len(live)} workflows left after destroy"] if live else []
    problems += leak_problems(deployment.api_key, deployment.texts())
    return LoadResult(count, rps, figures, problems)


def _deployed_problems(deployment: Deployment, expected: dict[str, Any]) -> list[str]:
    live = deployment.control.workflows()
    exported = deployment.export()
    problems = org_problems(live, expected, deployment.owner_prefix)
    problems += [f"{uid}: unmanaged workflow" for uid in unmanaged(live)]
    problems += state_problems(deployment.state_workflows(exported), live, deployment.owner_prefix)
    return problems + pending_problems(exported)


def run_load_in_tmp(binary: str, count: int = DEFAULT_COUNT, rps: int = DEFAULT_RPS) -> LoadResult:
    """``run_load`` in a temporary directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="thena-load-") as tmp:
        return run_load(Path(tmp), binary, count, rps)
