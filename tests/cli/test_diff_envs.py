"""``diff-envs``: two stacks' live workflows compared once A's variables are put in B's terms."""

from __future__ import annotations

import json
from typing import Any

from pulumi_thena.cli import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from tests.cli.conftest import VARIABLES, Project

PROD_VARIABLES = {
    "agent": "bot-prod",
    "team": "team-prod",
    "channel": "#prod-alerts",
    "attempts": 5,
}


def _two_stacks(project: Project, **prod: Any) -> dict[str, str]:
    project.write_stack("prod", **{"thena-workflows:vars": PROD_VARIABLES, **prod})
    project.deploy("test")
    return project.deploy("prod")


def _report(project: Project) -> tuple[int, dict[str, Any]]:
    result = project.run("diff-envs", "--from", "test", "--to", "prod", "--json")
    return result.exit_code, json.loads(result.stdout)


def test_environments_deployed_from_the_same_files_are_the_same(project: Project) -> None:
    _two_stacks(project)
    result = project.run("diff-envs", "--from", "test", "--to", "prod")
    assert result.exit_code == EXIT_OK, result.output
    assert "prod is up to date with test." in result.stdout


def test_activation_overrides_are_expected_differences(project: Project) -> None:
    _two_stacks(project, **{"thena-workflows:activation": {"overrides": {"slack-alert": False}}})
    code, report = _report(project)
    assert code == EXIT_OK, report


def test_drift_in_the_target_is_shown_in_the_target_terms(project: Project) -> None:
    ids = _two_stacks(project)
    client = project.emulator.client
    live = client.get_workflow(ids["escalation-note"])
    steps = live.workflow_definition
    steps[0]["retryPolicy"]["maximumAttempts"] = 9
    client.update_workflow(ids["escalation-note"], {"workflowDefinition": steps})
    code, report = _report(project)
    assert code == EXIT_DIFFERENCES
    item = next(i for i in report["items"] if i["resource"] == "escalation-note")
    assert item["status"] == "different"
    assert item["changes"] == [
        {"path": "workflowDefinition[0].retryPolicy.maximumAttempts", "from": 5, "to": 9}
    ]
    assert report["summary"]["different"] == 1


def test_a_workflow_the_target_leaves_out_on_purpose_is_no_difference(project: Project) -> None:
    """diff-envs is a promotion gate: exit 0 means "prod is up to date with dev" even while dev
    holds an experiment that prod's include leaves out."""
    _two_stacks(project, **{"thena-workflows:include": ["escalation-note"]})
    code, report = _report(project)
    assert code == EXIT_OK, report
    assert {i["resource"]: i["status"] for i in report["items"]} == {
        "escalation-note": "same",
        "slack-alert": "not-included",
    }
    human = project.run("diff-envs", "--from", "test", "--to", "prod")
    assert "not included in prod" in human.stdout
    assert "prod is up to date with test." in human.stdout


def test_a_workflow_only_in_the_source_that_the_target_includes_is_a_difference(
    project: Project,
) -> None:
    ids = _two_stacks(project)
    project.emulator.client.delete_workflow(ids["slack-alert"])
    code, report = _report(project)
    assert code == EXIT_DIFFERENCES
    assert {i["resource"]: i["status"] for i in report["items"]}["slack-alert"] == "only-in-from"
    human = project.run("diff-envs", "--from", "test", "--to", "prod")
    assert "only in test" in human.stdout


def test_strings_equal_to_a_variable_are_mapped_even_without_a_placeholder(
    project: Project,
) -> None:
    _two_stacks(project)
    project.write("slack-alert", "name: gone\n")  # the file no longer helps; the values still map
    code, report = _report(project)
    assert code == EXIT_OK, report
    assert VARIABLES["channel"] != PROD_VARIABLES["channel"]


def test_each_stack_needs_its_own_key(project: Project, tmp_path: Any) -> None:
    project.write_stack("prod", **{"thena:apiKey": {"secure": "v1:encrypted"}})
    env = {"PATH": str(tmp_path)}  # no Pulumi CLI to decrypt with
    result = project.run("diff-envs", "--from", "test", "--to", "prod", env=env)
    assert result.exit_code == EXIT_ERROR
    assert "no API key for stack 'prod'" in result.stderr
    assert "THENA_API_KEY_PROD" in result.stderr
    env["THENA_API_KEY_PROD"] = project.emulator.api_key
    assert project.run("diff-envs", "--from", "test", "--to", "prod", env=env).exit_code == EXIT_OK
