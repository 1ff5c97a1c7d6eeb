"""An interrupted run: the engine killed (SIGKILL) while a create is in flight, then recovered.

The CLI and every process under it go at once (its language host, program and provider, which
Pulumi starts in process groups of their own), as when a CI runner cancels a job.

The create's POST is made to answer late, so the kill lands after the workflow exists but before
Pulumi recorded it. What the engine then says, and what brings the stack back, is what the
docs/reliability.md's "after an interrupted run" section describes:

1. the next command finds the stack locked; ``pulumi cancel`` removes the lock;
2. ``pulumi refresh --clear-pending-creates`` drops the pending create (a plain non-interactive
   ``refresh`` keeps it: checked here too);
3. ``pulumi up`` finds the workflow by its owner marker and adopts it: no duplicate.

Used by ``test_interrupted_run.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pulumi_thena.emulator import EmulatorServer
from tests.reliability.checks import converged_problems, expected_from_files, pending_problems
from tests.reliability.harness import (
    Deployment,
    RunOutcome,
    new_api_key,
    open_deployment,
    summary_line,
    workflow_yaml,
)

POST_LATE_BY_SECONDS = 20
WAIT_FOR_POST_SECONDS = 60
LABEL = "create: `pulumi up` killed (SIGKILL) while the POST is in flight"


@dataclass(frozen=True)
class InterruptedResult:
    killed_run: str
    locked: RunOutcome
    recovery: list[tuple[str, RunOutcome]]
    pending_after_plain_refresh: int
    """Pending operations left by a non-interactive ``pulumi refresh`` (it keeps creates)."""
    problems: list[str]

    def row(self) -> list[str]:
        steps = ", then ".join(f"`pulumi {command}`" for command, _ in self.recovery)
        ok = all(outcome.ok for _, outcome in self.recovery)
        second = f"{'succeeded' if ok else 'failed'} after {steps}"
        correct = "yes" if not self.problems else "no: " + "; ".join(self.problems)
        return [LABEL, f"killed; next run: {self.locked.last_line}", second, correct]


CANCEL = ("cancel", "--yes")
PLAIN_REFRESH = ("refresh", "--yes")
RECOVERY: tuple[tuple[str, ...], ...] = (
    ("refresh", "--yes", "--clear-pending-creates"),
    ("up", "--yes", "--skip-preview"),
)


def _step(deployment: Deployment, args: tuple[str, ...]) -> tuple[str, RunOutcome]:
    """Run one recovery command; name it as a user would type it (without prompt skipping)."""
    shown = " ".join(arg for arg in args if arg not in ("--yes", "--skip-preview"))
    return shown, deployment.pulumi(*args, check=False)


def run_interrupted(workdir: Path, binary: str) -> InterruptedResult:
    """Kill ``up`` mid-create, follow the recovery steps, and check the org and the state."""
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        files = {"wf-1.yaml": workflow_yaml(1), "wf-2.yaml": workflow_yaml(2)}
        deployment = open_deployment(workdir, binary, files, server)
        try:
            killed = _kill_during_create(deployment)
            locked = deployment.up()
            steps = [_step(deployment, CANCEL)]
            deployment.pulumi(*PLAIN_REFRESH, check=False)
            pending = len(pending_problems(deployment.export()))
            steps += [_step(deployment, args) for args in RECOVERY]
            problems = converged_problems(deployment, expected_from_files(deployment, {}))
            return InterruptedResult(killed, locked, steps, pending, problems)
        finally:
            server.ensure_listening()
            deployment.close()


FILES_WITHOUT_CHECKPOINTS = 6
LABEL_WITHOUT_CHECKPOINTS = (
    "create, `PULUMI_SKIP_CHECKPOINTS=true`: `pulumi up` killed (SIGKILL) once every workflow "
    "exists, one POST still in flight"
)
SKIP_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true"}


@dataclass(frozen=True)
class UncheckpointedResult:
    """A run without checkpoints killed after its creates: the state never heard of them."""

    killed_run: str
    created_before_kill: int
    in_state_after_kill: int
    locked: RunOutcome
    recovery: list[tuple[str, RunOutcome]]
    creates_in_recovery: int
    """POSTs to the workflows route during the recovery: 0 when every workflow was adopted."""
    problems: list[str]

    def row(self) -> list[str]:
        steps = ", then ".join(f"`pulumi {command}`" for command, _ in self.recovery)
        ok = all(outcome.ok for _, outcome in self.recovery)
        second = (
            f"{'succeeded' if ok else 'failed'} after {steps}; {self.creates_in_recovery} "
            f"create(s), {self.created_before_kill} workflow(s) adopted by their owner marker"
        )
        correct = "yes" if not self.problems else "no: " + "; ".join(self.problems)
        return [LABEL_WITHOUT_CHECKPOINTS, f"killed; next run: {self.locked.last_line}", second,
                correct]  # fmt: skip


def run_interrupted_without_checkpoints(workdir: Path, binary: str) -> UncheckpointedResult:
    """As ``run_interrupted``, with the engine writing no checkpoint until the end.

    Every workflow exists when the run dies, and the state records none of them (not even as a
    pending create). ``pulumi cancel`` and one ``up`` must bring the stack back: each create
    finds its workflow by the owner marker and adopts it, so nothing is created twice.
    """
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        files = {f"wf-{i}.yaml": workflow_yaml(i) for i in range(1, FILES_WITHOUT_CHECKPOINTS + 1)}
        deployment = open_deployment(workdir, binary, files, server, extra_env=SKIP_CHECKPOINTS)
        try:
            killed = _kill_during_create(deployment, wait_for=FILES_WITHOUT_CHECKPOINTS)
            created = len(deployment.control.workflows())
            in_state = len(deployment.state_workflows(deployment.export()))
            locked = deployment.up()
            steps = [_step(deployment, CANCEL)]
            before = _creates(deployment)
            steps.append(_step(deployment, ("up", "--yes", "--skip-preview")))
            creates = _creates(deployment) - before
            problems = converged_problems(deployment, expected_from_files(deployment, {}))
            return UncheckpointedResult(killed, created, in_state, locked, steps, creates, problems)
        finally:
            server.ensure_listening()
            deployment.close()


def _creates(deployment: Deployment) -> int:
    return sum(
        1
        for request in deployment.control.requests()
        if request.get("method") == "POST" and request.get("path") == "/api/v1/workflows"
    )


def _kill_during_create(deployment: Deployment, wait_for: int = 1) -> str:
    control = deployment.control
    control.inject_fault(
        "POST", "/api/v1/workflows", "commit_then_delay", delay_seconds=POST_LATE_BY_SECONDS
    )
    project = deployment.project
    command = [project.binary, "up", "--yes", "--skip-preview", "--non-interactive"]
    process = subprocess.Popen(
        [*command, "--stack", deployment.stack],
        cwd=project.root,
        env=project.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_workflows(deployment, wait_for)
    finally:
        _kill_tree(process.pid)
    output, _ = process.communicate(timeout=30)
    project.outputs.append(output)
    control.clear_faults()
    return summary_line(output)


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and its descendants (listed first: once it dies they are reparented)."""
    for victim in [pid, *_descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces: the parent pid follows its closing parenthesis.
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _wait_for_workflows(deployment: Deployment, count: int) -> None:
    deadline = time.monotonic() + WAIT_FOR_POST_SECONDS
    while len(deployment.control.workflows()) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} workflow(s) were created: POSTs never arrived")
        time.sleep(0.05)
