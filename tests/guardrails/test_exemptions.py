"""``guardrailExemptions`` in a workflow file: a rule the workflow need not follow, with a reason.

Visible wherever the workflow is reviewed (validate's notes, plan's output and JSON, the
resource's inputs, the program's log); it waives that rule's findings for that workflow only;
never sent to the API. A mistake in it is a problem of the file.
"""

from __future__ import annotations

import json
import logging

import pytest

from pulumi_thena.cli import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from tests.guardrails.cases import BY_RULE, only
from tests.guardrails.conftest import SECRETS, Workspace
from tests.stacks.harness import run_program

FILE = "stacks/workflows/wf.yaml"
CASE = BY_RULE["retry-on-external"]
REASON = "a retry could post the alert twice"
EXEMPTION = f"guardrailExemptions:\n  - rule: retry-on-external\n    reason: {REASON}\n"


def exempt(text: str, exemption: str = EXEMPTION) -> str:
    return text.replace("workflowDefinition:", exemption + "workflowDefinition:")


@pytest.fixture
def exempted(workspace: Workspace) -> Workspace:
    workspace.guard(only("retry-on-external", "mandatory"))
    workspace.write("wf", exempt(CASE.violating))
    workspace.write("other", CASE.violating.replace("name: Alert", "name: Other alert"))
    return workspace


def test_validate_waives_the_rule_for_that_file_only_and_says_why(exempted: Workspace) -> None:
    result = exempted.run("validate", "--stack", "test", "--json")
    report = json.loads(result.stdout)
    [problem] = report["problems"]
    assert problem["file"] == "stacks/workflows/other.yaml"
    assert report["exempted"] == [
        {
            "file": FILE,
            "rule": "retry-on-external",
            "reason": REASON,
            "paths": ["workflowDefinition[0].retryPolicy"],
        }
    ]
    shown = exempted.run("validate", "--stack", "test").stdout
    assert (
        f"note: exempted: {FILE}: retry-on-external exempted at "
        f"workflowDefinition[0].retryPolicy: {REASON}"
    ) in shown


def test_plan_lists_the_exemptions(exempted: Workspace) -> None:
    (exempted.workflows / "other.yaml").unlink()
    result = exempted.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_DIFFERENCES, result.output
    assert "Guardrail exemptions (from the files, with their reasons):" in result.stdout
    assert f"  {FILE}: retry-on-external exempted at" in result.stdout
    report = json.loads(exempted.run("plan", "--stack", "test", "--json").stdout)
    assert [(e["file"], e["rule"], e["reason"]) for e in report["exempted"]] == [
        (FILE, "retry-on-external", REASON)
    ]


def test_the_program_declares_the_exemptions_as_an_input_and_logs_them(
    exempted: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    (exempted.workflows / "other.yaml").unlink()
    with caplog.at_level(logging.INFO):
        run = run_program("test", secrets=SECRETS, project=exempted.root)
    declared = run.workflows()["wf"].inputs
    assert declared["guardrailExemptions"] == [{"rule": "retry-on-external", "reason": REASON}]
    assert "guardrailExemptions" not in json.loads(declared["definition"])["metadata"]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any(m.startswith(f"{FILE}: retry-on-external exempted at") for m in logged)


def test_a_file_without_exemptions_declares_no_such_input(workspace: Workspace) -> None:
    workspace.guard(None)
    workspace.write("wf", CASE.passing)
    run = run_program("test", secrets=SECRETS, project=workspace.root)
    assert "guardrailExemptions" not in run.workflows()["wf"].inputs


def test_an_exemption_naming_no_rule_or_waiving_nothing_is_a_warning(
    workspace: Workspace,
) -> None:
    workspace.guard(only("retry-on-external", "mandatory"))
    typo = "guardrailExemptions:\n  - {rule: retry-on-externl, reason: typo}\n"
    workspace.write("wf", exempt(CASE.passing, typo))
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["path"] == "guardrailExemptions[0].rule"
    assert warning["message"] == (
        "[advisory] guardrail exemption: exempts from 'retry-on-externl', a rule stack 'test' "
        "does not have; did you mean 'retry-on-external'?"
    )
    workspace.write("wf", exempt(CASE.passing))
    [warning] = json.loads(workspace.run("validate", "--stack", "test", "--json").stdout)[
        "warnings"
    ]
    assert "which finds nothing in this workflow; remove the exemption" in warning["message"]


@pytest.mark.parametrize(
    ("exemption", "says"),
    [
        (
            "guardrailExemptions:\n  - {rule: retry-on-external}\n",
            "guardrailExemptions[0].reason: this field is required",
        ),
        (
            "guardrailExemptions:\n  - {rule: retry-on-external, reason: '  '}\n",
            "guardrailExemptions[0].reason: is empty; say why the workflow may break the rule",
        ),
        (
            "guardrailExemptions:\n  - {rule: Retry On External, reason: x}\n",
            "guardrailExemptions[0].rule: 'Retry On External' is not a rule id",
        ),
        (
            "guardrailExemptions:\n  - {rule: max-steps, reason: a}\n  - {rule: max-steps, "
            "reason: b}\n",
            "guardrailExemptions: exempts from max-steps more than once; keep one entry per rule",
        ),
        (
            "guardrailExemptions:\n  - {rule: max-steps, reason: a, until: 2027-01-01}\n",
            "guardrailExemptions[0].until: unknown field",
        ),
    ],
)
def test_a_wrong_exemption_is_a_problem_of_the_file(
    workspace: Workspace, exemption: str, says: str
) -> None:
    workspace.guard(None)
    workspace.write("wf", exempt(CASE.passing, exemption))
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_ERROR
    messages = [f"{p['path']}: {p['message']}" for p in json.loads(result.stdout)["problems"]]
    assert any(says in message for message in messages), messages


def test_the_pull_request_comment_shows_exemptions_and_warnings(exempted: Workspace) -> None:
    (exempted.workflows / "other.yaml").unlink()
    exempted.write("noted", BY_RULE["max-steps"].violating)
    exempted.guard({"rules": {"retry-on-external": "mandatory", "max-steps": {"maximum": 2}}})
    result = exempted.run("plan", "--stack", "test", "--format", "markdown")
    assert result.exit_code == EXIT_DIFFERENCES, result.output
    assert "#### Guardrail exemptions" in result.stdout
    assert "| `stacks/workflows/wf.yaml` | `retry-on-external` | a retry could post the alert" in (
        result.stdout
    )
    assert "#### Warnings (advisory guardrails and lints)" in result.stdout
    [warning] = [line for line in result.stdout.splitlines() if "max\\-steps" in line]
    shown = warning.replace("\\", "")  # what GitHub renders: the escapes are not shown
    assert shown.startswith("- stacks/workflows/noted.yaml: workflowDefinition: [advisory] max-")
    assert "has 3 steps; this stack allows at most 2" in shown
