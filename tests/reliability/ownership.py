"""Two stacks of one project in one org: each finds only its own workflows.

``dev`` and ``staging`` deploy the same files (so the same workflow names) to one emulator,
next to a workflow made by hand. ``thena-workflows plan --stack dev`` must list the hand-made
one as managed by no stack; destroying ``staging`` must delete exactly its own workflows and
leave ``dev``'s and the hand-made one untouched.

Used by ``test_ownership.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_thena.emulator import EmulatorServer
from tests.reliability.checks import (
    converged_problems,
    expected_from_files,
    leak_problems,
    owned_by_stem,
)
from tests.reliability.harness import Deployment, new_api_key, open_deployment, workflow_yaml

HAND_MADE = {
    "name": "Made by hand",
    "triggerEvent": "ticket:escalated",
    "executingAgent": "bot-hand",
    "teamId": "team-reliability",
    "workflowDefinition": [
        {
            "stepIdentifier": 1,
            "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
            "input": {"content": "by hand"},
        }
    ],
}
CLI = Path(sys.executable).with_name("thena-workflows")


@dataclass(frozen=True)
class OwnershipResult:
    plan_unmanaged: list[str]
    plan_output: str
    hand_made_id: str
    deleted_ids: list[str]
    problems: list[str]


def run_ownership(workdir: Path, binary: str) -> OwnershipResult:
    """Deploy dev and staging, plan dev, destroy staging; check that nothing crossed over."""
    files = {f"wf-{i}.yaml": workflow_yaml(i) for i in (1, 2)}
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        hand_made = str(server.backend.create_workflow(HAND_MADE)["uniqueIdentifier"])
        dev = open_deployment(workdir, binary, files, server, stack="dev")
        staging = Deployment(dev.project, server, "staging").init()
        try:
            return _scenario(dev, staging, hand_made)
        finally:
            dev.close()
            staging.close()


def _scenario(dev: Deployment, staging: Deployment, hand_made: str) -> OwnershipResult:
    problems = []
    for deployment in (dev, staging):
        outcome = deployment.up()
        if not outcome.ok:
            problems.append(f"{deployment.stack}: up failed: {outcome.last_line}")
    plan_output, unmanaged = _plan(dev)
    if hand_made not in unmanaged:
        problems.append(f"plan --stack dev does not list the hand-made workflow {hand_made}")
    before = _by_id(dev)
    staging_ids = sorted(w["uniqueIdentifier"] for w in _owned(staging, before))
    mark = len(dev.control.requests())
    destroyed = staging.pulumi("destroy", "--yes", check=False)
    if not destroyed.ok:
        problems.append(f"staging: destroy failed: {destroyed.last_line}")
    deleted = [r["path"].rsplit("/", 1)[1] for r in _writes_since(dev, mark)]
    if sorted(deleted) != staging_ids:
        problems.append(f"destroy of staging wrote to {deleted}, expected only {staging_ids}")
    problems += _untouched(before, _by_id(dev), keep=[hand_made, *_ids(_owned(dev, before))])
    problems += converged_problems(dev, expected_from_files(dev, {}), others=[hand_made])
    problems += leak_problems(dev.api_key, [plan_output])
    return OwnershipResult(unmanaged, plan_output, hand_made, deleted, problems)


def _plan(deployment: Deployment) -> tuple[str, list[str]]:
    """``thena-workflows plan --stack <stack> --json``: its output and the unmanaged ids."""
    project = deployment.project
    done = subprocess.run(
        [str(CLI), "--json", "--no-progress", "plan", "--stack", deployment.stack],
        cwd=project.root,
        env=project.env(),  # the Pulumi CLI decrypts the stack's key for it
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    try:
        unmanaged = json.loads(done.stdout).get("unmanaged", [])
    except ValueError:
        return output, []
    return output, [str(w.get("uniqueIdentifier")) for w in unmanaged]


def _by_id(deployment: Deployment) -> dict[str, dict[str, Any]]:
    return {w["uniqueIdentifier"]: w for w in deployment.control.workflows()}


def _owned(deployment: Deployment, live: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    grouped = owned_by_stem(live.values(), deployment.owner_prefix)
    return [w for found in grouped.values() for w in found]


def _ids(workflows: list[dict[str, Any]]) -> list[str]:
    return [str(w["uniqueIdentifier"]) for w in workflows]


def _writes_since(deployment: Deployment, mark: int) -> list[dict[str, Any]]:
    requests = deployment.control.requests()[mark:]
    return [r for r in requests if r["method"] in ("POST", "PATCH", "DELETE")]


def _untouched(
    before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]], keep: list[str]
) -> list[str]:
    problems = []
    for uid in keep:
        if after.get(uid) != before.get(uid):
            problems.append(f"{uid} changed or vanished while another stack was destroyed")
    return problems
