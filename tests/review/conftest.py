"""Workflows to draw: the repository's examples, a change of one, and a hostile one."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from click.testing import CliRunner

from pulumi_thena.cli import cli
from pulumi_thena.definitions import load_stack
from pulumi_thena.definitions.loader import definition_stems
from tests.review.tools import REPO

EXAMPLES = definition_stems(REPO / "stacks" / "workflows")

HOSTILE_NAME = 'Ship "it"]; click s1 call alert(1) %%{init:{}}%% <!-- --> `x` *y* | @octocat #1'
"""A workflow name made of Markdown, Mermaid and HTML-comment syntax."""


def graph_json(*args: str) -> dict[str, Any]:
    """``thena-workflows graph ... --json`` on this repository, as a dict."""
    result = CliRunner().invoke(cli, ["--project-dir", str(REPO), "graph", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def canonical_examples() -> dict[str, dict[str, Any]]:
    """Every example of the local stack, canonical wire form, by file stem."""
    stack = load_stack(REPO, "local")
    return {w.stem: w.definition.canonical().to_wire() for w in stack.workflows}


def edited(wire: dict[str, Any]) -> dict[str, Any]:
    """The issue's change: step 3 edited, step 2 removed, a step 4 added."""
    new = copy.deepcopy(wire)
    steps = {step["stepIdentifier"]: step for step in new["workflowDefinition"]}
    steps[3]["input"]["text"] = "New VIP account: see the onboarding ticket."
    steps[3]["dependencies"] = ["1"]
    del steps[2]
    steps[4] = {
        "stepIdentifier": 4,
        "activity": {"uniqueIdentifier": "email:send-email", "autoUpgradeToLatestVersion": True},
        "input": {"to": "csm@example.com"},
        "dependencies": ["3"],
        "filters": {"account.tier": {"~eq": "strategic"}},
        "onFailure": "CONTINUE",
    }
    new["workflowDefinition"] = [steps[key] for key in sorted(steps)]
    return new


def hostile_workflow() -> dict[str, Any]:
    """A workflow whose every shown value is made of syntax (name, activity, filters, approver)."""
    return {
        "name": HOSTILE_NAME,
        "triggerEvent": 'ticket:"created"];',
        "filters": {"ticket.title<b>": {"~eq": '"]; end; %%'}},
        "annotations": [{"entityType": "Ticket`", "relations": ["a|b"]}],
        "workflowDefinition": [
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "x:y</b>#35;"},
                "input": {},
                "requireApproval": True,
                "approver": {"type": "TEAM", "uid": 'team"];style s1 fill:#f00;', "timeout": 60},
            },
            {
                "stepIdentifier": 2,
                "activity": {"uniqueIdentifier": "classDef:x"},
                "dependencies": ["1"],
                "filters": {"-->|x|": {"~in": ["<br>", "```"]}},
                "input": {},
            },
        ],
    }


@pytest.fixture(scope="session")
def examples() -> dict[str, dict[str, Any]]:
    return canonical_examples()


@pytest.fixture
def onboarding(examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(examples["vip-account-onboarding"])
