"""Each lint of ``spec.lints`` through ``validate``: a case that triggers it, one that must not.

Lints are rules of the registry, advisory unless a stack says otherwise: a warning with the
file, the field path (as the file has it), the line and why; mandatory, a problem.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from tests.guardrails.cases import RETRY, only, workflow
from tests.guardrails.conftest import Workspace

FILE = "stacks/workflows/wf.yaml"

NOTE = """\
- stepIdentifier: 1
  activity: {uniqueIdentifier: tickets:add-comment-platform}
  input: {content: noted}
"""


def filtered(filters: str) -> str:
    return workflow("Filtered", NOTE, extra=f"filters:\n{filters}")


LINTS: list[tuple[str, str, str, str, str]] = [
    # (rule, triggering file, quiet file, path, words of why)
    (
        "filter-never-matches",
        filtered("  ticket.priority: {~in: []}\n"),
        filtered("  ticket.priority: {~in: [high, urgent]}\n"),
        "filters.ticket.priority.~in",
        "the workflow can never trigger",
    ),
    (
        "step-never-runs",
        workflow(
            "Step filter",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
              filters: {ticket.priority: {~eq: high, ~neq: high}}
            """,
        ),
        workflow(
            "Step filter",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
              filters: {ticket.priority: {~eq: high, ~neq: low}}
            """,
        ),
        "workflowDefinition[0].filters.ticket.priority.~neq",
        "step 1 can never run",
    ),
    (
        "step-result-too-early",
        workflow(
            "Reads a result",
            """\
            - stepIdentifier: 2
              activity: {uniqueIdentifier: tickets:add-comment-platform}
              input: {content: "{{context.steps.1.result.ticketUrl}}"}
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:create-ticket-platform}
            """,
        ),
        workflow(
            "Reads a result",
            """\
            - stepIdentifier: 2
              dependencies: ["1"]
              activity: {uniqueIdentifier: tickets:add-comment-platform}
              input: {content: "{{context.steps.1.result.ticketUrl}}"}
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:create-ticket-platform}
            """,
        ),
        # Step 2 is first in the file and second in canonical order: the path is the file's.
        "workflowDefinition[0].input.content",
        "step 1 is not among the dependencies of step 2",
    ),
    (
        "event-schema-path",
        workflow(
            "Reads the event",
            f"""\
            - stepIdentifier: 1
              activity: {{uniqueIdentifier: slack:send-message}}
              input: {{text: "{{{{context.event.message.payload.ticketTitle}}}}"}}
              {RETRY}
            """,
        ),
        workflow(
            "Reads the event",
            f"""\
            - stepIdentifier: 1
              activity: {{uniqueIdentifier: slack:send-message}}
              input: {{text: "{{{{context.event.message.payload.ticketId}}}}"}}
              {RETRY}
            """,
        ),
        "workflowDefinition[0].input.text",
        "the event schema has no 'ticketTitle' under 'message.payload'",
    ),
]
IDS = [lint[0] for lint in LINTS]


def validated(workspace: Workspace, setting: dict[str, Any] | None, text: str) -> Any:
    workspace.guard(setting)
    workspace.write("wf", text)
    # The registry snapshot of the stack's org (the emulator's): event schemas for the last lint.
    snapshot = workspace.run("registry", "snapshot", "--stack", "test")
    assert snapshot.exit_code == EXIT_OK, snapshot.output
    return workspace.run("validate", "--stack", "test", "--json")


@pytest.mark.parametrize(("rule", "triggering", "quiet", "path", "why"), LINTS, ids=IDS)
def test_a_lint_warns_by_default(
    workspace: Workspace, rule: str, triggering: str, quiet: str, path: str, why: str
) -> None:
    result = validated(workspace, None, triggering)
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert report["problems"] == []
    [warning] = [w for w in report["warnings"] if w["rule"] == rule]
    assert (warning["file"], warning["path"]) == (FILE, path)
    assert warning["message"].startswith(f"[advisory] {rule}: ")
    assert why in warning["message"] and isinstance(warning["line"], int)


@pytest.mark.parametrize(("rule", "triggering", "quiet", "path", "why"), LINTS, ids=IDS)
def test_a_lint_is_quiet_on_the_close_case(
    workspace: Workspace, rule: str, triggering: str, quiet: str, path: str, why: str
) -> None:
    result = validated(workspace, None, quiet)
    assert result.exit_code == EXIT_OK, result.output
    assert [w for w in json.loads(result.stdout)["warnings"] if w["rule"] == rule] == []


@pytest.mark.parametrize(("rule", "triggering", "quiet", "path", "why"), LINTS, ids=IDS)
def test_a_stack_can_make_a_lint_mandatory(
    workspace: Workspace, rule: str, triggering: str, quiet: str, path: str, why: str
) -> None:
    result = validated(workspace, only(rule, "mandatory"), triggering)
    assert result.exit_code == EXIT_ERROR, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["path"], problem["rule"]) == (path, rule)
    assert problem["message"].startswith(f"[mandatory] {rule}: ")


def test_a_path_names_the_step_and_dependency_as_the_file_orders_them(
    workspace: Workspace,
) -> None:
    # Canonical form sorts steps by identifier and dependencies: ["3", "1"] becomes ["1", "3"].
    text = workflow(
        "Orders",
        """\
        - stepIdentifier: 2
          dependencies: ["3", "1"]
          activity: {uniqueIdentifier: tickets:add-comment-platform}
        - stepIdentifier: 1
          activity: {uniqueIdentifier: tickets:add-comment-platform}
          filters: {ticket.priority: {~in: []}}
        - stepIdentifier: 3
          activity: {uniqueIdentifier: tickets:add-comment-platform}
        """,
    )
    result = validated(workspace, None, text)
    found = {w["path"]: w for w in json.loads(result.stdout)["warnings"]}
    blocked = found["workflowDefinition[0].dependencies[1]"]
    assert "step 2 can never run: it depends on step 1, which can never run" in blocked["message"]
    assert blocked["line"] == 7  # the line of dependencies: ["3", "1"]
    assert "workflowDefinition[1].filters.ticket.priority.~in" in found
