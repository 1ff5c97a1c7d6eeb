"""Each built-in rule, broken and kept, through ``validate``, ``plan`` and the Pulumi program.

Mandatory: ``validate`` and ``plan`` exit 1 naming the file, the field path, the rule and the fix,
``plan`` before any API call; the program raises before it declares anything. Advisory: the
same finding is a warning (validate's ``warnings``, plan's output, ``pulumi.log.warn``) and
nothing stops. Kept: nothing is said.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from pulumi_thena.cli import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from pulumi_thena.definitions import DefinitionLoadError
from tests.guardrails.cases import CASES, RULES, Case, only, workflow
from tests.guardrails.conftest import SECRETS, Workspace
from tests.stacks.harness import run_program
from tests.support import Calls

FILE = "stacks/workflows/wf.yaml"
BY_ID = [case.rule for case in CASES]


def message(case: Case, level: str) -> str:
    fix = RULES.get(case.rule).fix  # type: ignore[union-attr]
    return f"[{level}] {case.rule}: {case.why}. Fix: {fix}"


def set_up(workspace: Workspace, case: Case, level: str, *, text: str) -> None:
    workspace.guard(case.setting(level))
    workspace.write("wf", text)
    if case.earlier is not None:
        workspace.write("another", case.earlier)


# validate ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_validate_stops_a_mandatory_violation(workspace: Workspace, case: Case) -> None:
    set_up(workspace, case, "mandatory", text=case.violating)
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_ERROR, result.output
    report = json.loads(result.stdout)
    [problem] = report["problems"]
    assert problem["file"] == FILE and problem["path"] == case.path
    assert problem["rule"] == case.rule and isinstance(problem["line"], int)
    assert problem["message"] == message(case, "mandatory")
    assert report["warnings"] == []


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_validate_shows_an_advisory_violation_and_passes(workspace: Workspace, case: Case) -> None:
    set_up(workspace, case, "advisory", text=case.violating)
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert report["problems"] == []
    [warning] = report["warnings"]
    assert (warning["file"], warning["path"], warning["rule"]) == (FILE, case.path, case.rule)
    assert warning["message"] == message(case, "advisory")


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_validate_says_nothing_of_a_kept_rule(workspace: Workspace, case: Case) -> None:
    set_up(workspace, case, "mandatory", text=case.passing)
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert report["problems"] == [] and report["warnings"] == []


def test_validate_prints_a_finding_with_file_path_rule_fix_and_line(workspace: Workspace) -> None:
    case = CASES[1]  # retry-on-external
    set_up(workspace, case, "mandatory", text=case.violating)
    result = workspace.run("validate", "--stack", "test")
    assert f"{FILE}: {case.path}: {message(case, 'mandatory')} (line 6)" in result.stdout
    set_up(workspace, case, "advisory", text=case.violating)
    result = workspace.run("validate", "--stack", "test")
    assert "Warnings (advisory guardrails and lints; not problems):" in result.stdout
    assert f"  {FILE}: {case.path}: {message(case, 'advisory')} (line 6)" in result.stdout
    assert "no problems; 1 to set up; 1 warning" in result.stdout


# plan --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_plan_stops_a_mandatory_violation_before_any_api_call(
    workspace: Workspace, case: Case, thena_emulator: Any
) -> None:
    set_up(workspace, case, "mandatory", text=case.violating)
    calls = Calls(thena_emulator)
    result = workspace.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_ERROR, result.output
    assert f"{FILE}: {case.path}: {message(case, 'mandatory')}" in result.output
    assert calls.since() == {}


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_plan_shows_an_advisory_violation(workspace: Workspace, case: Case) -> None:
    set_up(workspace, case, "advisory", text=case.violating)
    result = workspace.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_DIFFERENCES, result.output  # the file is to create
    assert "Warnings (advisory guardrails and lints; `pulumi up` goes ahead):" in result.stdout
    assert f"{FILE}: {case.path}: {message(case, 'advisory')}" in result.stdout
    report = json.loads(workspace.run("plan", "--stack", "test", "--json").stdout)
    [warning] = report["warnings"]
    assert (warning["file"], warning["path"]) == (FILE, case.path)


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_plan_says_nothing_of_a_kept_rule(workspace: Workspace, case: Case) -> None:
    set_up(workspace, case, "mandatory", text=case.passing)
    result = workspace.run("plan", "--stack", "test", "--json")
    assert result.exit_code == EXIT_DIFFERENCES, result.output
    assert json.loads(result.stdout)["warnings"] == []


# the program -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_the_program_stops_a_mandatory_violation_before_declaring(
    workspace: Workspace, case: Case
) -> None:
    set_up(workspace, case, "mandatory", text=case.violating)
    with pytest.raises(DefinitionLoadError) as caught:
        run_program("test", secrets=SECRETS, project=workspace.root)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{FILE}: {case.path}: {message(case, 'mandatory')}")


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_the_program_warns_of_an_advisory_violation(
    workspace: Workspace, case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    set_up(workspace, case, "advisory", text=case.violating)
    with caplog.at_level(logging.INFO):
        run = run_program("test", secrets=SECRETS, project=workspace.root)
    assert "wf" in run.workflows()
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    [warning] = [w for w in warned if case.rule in w]
    assert warning.startswith(f"{FILE}: {case.path}: {message(case, 'advisory')} (line ")


@pytest.mark.parametrize("case", CASES, ids=BY_ID)
def test_the_program_says_nothing_of_a_kept_rule(
    workspace: Workspace, case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    set_up(workspace, case, "mandatory", text=case.passing)
    with caplog.at_level(logging.INFO):
        run = run_program("test", secrets=SECRETS, project=workspace.root)
    assert "wf" in run.workflows()
    assert not [r for r in caplog.records if case.rule in r.getMessage()]


def test_graph_draws_a_workflow_a_guardrail_refuses(workspace: Workspace) -> None:
    case = CASES[1]  # retry-on-external
    set_up(workspace, case, "mandatory", text=case.violating)
    assert workspace.run("validate", "--stack", "test").exit_code == EXIT_ERROR
    drawn = workspace.run("graph", "wf", "--stack", "test", "--format", "mermaid")
    assert drawn.exit_code == EXIT_OK, drawn.output
    assert "flowchart" in drawn.stdout


def test_the_program_warns_once_with_a_line_per_finding(
    workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    """A large stack can have thousands of findings: each warning is a call to the engine."""
    workspace.guard(only("retry-on-external", "advisory"))
    two_steps = workflow(
        "Alert twice",
        """\
        - stepIdentifier: 1
          activity: {uniqueIdentifier: slack:send-message}
          input: {channel: "#alerts", text: new ticket}
        - stepIdentifier: 2
          activity: {uniqueIdentifier: slack:send-message}
          input: {channel: "#alerts", text: again}
        """,
    )
    workspace.write("wf", two_steps)
    workspace.write("other", two_steps.replace("Alert twice", "Alert again"))
    with caplog.at_level(logging.INFO):
        run_program("test", secrets=SECRETS, project=workspace.root)
    [warned] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    other = FILE.replace("wf.yaml", "other.yaml")
    found = [tuple(line.split(": ")[:2]) for line in warned.splitlines()]
    assert found == [
        (other, "workflowDefinition[0].retryPolicy"),
        (other, "workflowDefinition[1].retryPolicy"),
        (FILE, "workflowDefinition[0].retryPolicy"),
        (FILE, "workflowDefinition[1].retryPolicy"),
    ]
