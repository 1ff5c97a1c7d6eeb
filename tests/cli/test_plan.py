"""``plan``: files against the live org through the provider's canonical form; exit 2 on changes."""

from __future__ import annotations

import json
import time
from typing import Any

from pulumi_thena.cli import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK
from pulumi_thena.diff import OWNER_METADATA_KEY
from tests.cli.conftest import ALERT, Project, seed_workflow


def _plan(project: Project, *args: str) -> tuple[int, dict[str, Any]]:
    result = project.run("plan", "--stack", "test", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def _actions(report: dict[str, Any]) -> dict[str, str]:
    return {item["resource"]: item["action"] for item in report["items"]}


def test_an_empty_org_means_everything_is_created(project: Project) -> None:
    result = project.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_DIFFERENCES
    assert "+ create │ escalation-note" in result.stdout
    assert "Plan: 2 to create; 0 unchanged; 0 unmanaged." in result.stdout


def test_json_shape(project: Project) -> None:
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    assert report["project"] == "thena-workflows" and report["stack"] == "test"
    assert report["hasChanges"] is True
    assert report["summary"]["create"] == 2 and report["summary"]["unmanaged"] == 0
    assert set(report["items"][0]) == {
        "action", "resource", "name", "uniqueIdentifier", "file", "matchedBy", "fields",
        "changes", "note",
    }  # fmt: skip


def test_a_deployed_stack_has_no_differences(project: Project) -> None:
    project.deploy()
    result = project.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_OK, result.output
    assert "Plan: no differences; 2 unchanged; 0 unmanaged." in result.stdout


def test_drift_shows_field_level_changes(project: Project) -> None:
    ids = project.deploy()
    client = project.emulator.client
    live = client.get_workflow(ids["escalation-note"])
    steps = live.workflow_definition
    steps[1]["input"]["channel"] = "#somewhere-else"
    client.update_workflow(ids["escalation-note"], {"workflowDefinition": steps})
    result = project.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_DIFFERENCES
    assert "~ update    │ escalation-note" in result.stdout
    assert "~ workflowDefinition[1].input.channel" in result.stdout
    assert 'live: "#somewhere-else"' in result.stdout
    assert 'file: "#test-alerts"' in result.stdout
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    change = report["items"][0]["changes"][0]
    assert change == {
        "path": "workflowDefinition[1].input.channel",
        "live": "#somewhere-else",
        "wanted": "#test-alerts",
    }


def test_activation_policy_is_applied(project: Project) -> None:
    project.deploy()
    overrides = {"default": True, "overrides": {"slack-alert": False}}
    project.write_stack("test", **{"thena-workflows:activation": overrides})
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    assert _actions(report) == {"escalation-note": "unchanged", "slack-alert": "toggle"}
    toggle = report["items"][1]
    assert toggle["changes"] == [{"path": "isActive", "live": True, "wanted": False}]


def test_type_change_is_a_replacement(project: Project) -> None:
    project.deploy()
    project.write("slack-alert", "type: SCHEDULED\n" + ALERT)
    code, report = _plan(project)
    assert (code, _actions(report)["slack-alert"]) == (EXIT_DIFFERENCES, "replace")


def test_marked_workflows_without_a_file_are_deleted_and_others_unmanaged(
    project: Project,
) -> None:
    project.deploy()
    (project.workflows / "slack-alert.yaml").unlink()
    seed_workflow(project.emulator, name="Someone else's", metadata={OWNER_METADATA_KEY: "x/y/z"})
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    assert _actions(report) == {"escalation-note": "unchanged", "slack-alert": "delete"}
    assert [(w["name"], w["owner"]) for w in report["unmanaged"]] == [("Someone else's", "x/y/z")]


def test_files_left_out_by_include_are_deleted(project: Project) -> None:
    project.deploy()
    project.write_stack("test", **{"thena-workflows:include": ["escalation-note"]})
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    assert _actions(report) == {"escalation-note": "unchanged", "slack-alert": "delete"}


def test_previous_names_keep_the_match_and_the_marker_moves(project: Project) -> None:
    project.deploy()
    (project.workflows / "slack-alert.yaml").unlink()
    project.write("new-alert", "previousNames: [slack-alert]\n" + ALERT)
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES, report
    item = report["items"][1]
    assert (item["action"], item["matchedBy"], item["fields"]) == ("update", "owner", ["metadata"])
    assert item["changes"] == [
        {
            "path": f"metadata.{OWNER_METADATA_KEY}",
            "live": "thena-workflows/test/slack-alert",
            "wanted": "thena-workflows/test/new-alert",
        }
    ]


def test_adopt_existing_matches_by_name_and_team(project: Project) -> None:
    project.write("slack-alert", "adoptExisting: true\n" + ALERT.replace("new ticket", "hi"))
    seed_workflow(project.emulator, name="Slack alert")
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES  # escalation-note is still to be created
    item = report["items"][1]
    assert (item["action"], item["matchedBy"]) == ("unchanged", "name")
    assert "adopted by the next `pulumi up`" in item["note"]


def test_without_adopt_existing_a_twin_is_pointed_out(project: Project) -> None:
    twin = seed_workflow(project.emulator, name="Slack alert")
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    item = report["items"][1]
    assert item["action"] == "create"
    assert twin["uniqueIdentifier"] in item["note"] and "adoptExisting: true" in item["note"]


def test_two_candidates_for_adoption_are_a_conflict(project: Project) -> None:
    project.write("slack-alert", "adoptExisting: true\n" + ALERT)
    seed_workflow(project.emulator, name="Slack alert")
    seed_workflow(project.emulator, name="Slack alert")
    code, report = _plan(project)
    assert code == EXIT_DIFFERENCES
    assert _actions(report)["slack-alert"] == "conflict"


def test_secrets_that_cannot_be_decrypted_are_not_compared(project: Project) -> None:
    project.write(
        "hook",
        """\
        name: Hook
        triggerEvent: ticket:created
        executingAgent: bot
        workflowDefinition:
          - stepIdentifier: 1
            activity: {uniqueIdentifier: http:webhook}
            input:
              url: https://example.com
              token: Bearer ${secret.token}
        """,
    )
    project.write_stack("test", **{"thena-workflows:secrets": {"token": {"secure": "v1:abc"}}})
    client = project.emulator.client
    client.create_workflow(
        {
            "name": "Hook",
            "triggerEvent": "ticket:created",
            "executingAgent": "bot",
            "metadata": {OWNER_METADATA_KEY: "thena-workflows/test/hook"},
            "workflowDefinition": [
                {
                    "stepIdentifier": 1,
                    "activity": {"uniqueIdentifier": "http:webhook"},
                    "input": {"url": "https://example.com", "token": "Bearer real-value-123"},
                }
            ],
        }
    )
    result = project.run("plan", "--stack", "test", "--json")
    report = json.loads(result.stdout)
    assert _actions(report)["hook"] == "unchanged"
    assert report["secretsCompared"] is False
    assert "real-value-123" not in result.output
    table = project.run("plan", "--stack", "test")
    assert "Secret step inputs were not compared" in table.stdout


def test_invalid_files_are_reported_not_planned(project: Project) -> None:
    project.write("slack-alert", ALERT.replace("stepIdentifier: 1", "stepIdentifier: one"))
    result = project.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    assert "error: stacks/workflows/slack-alert.yaml: workflowDefinition[0].stepIdentifier" in (
        result.stderr
    )
    assert "error: 1 problem found" in result.stderr


def test_json_errors_go_to_stdout_too(project: Project) -> None:
    result = project.run("plan", "--stack", "nope", "--json")
    assert result.exit_code == EXIT_ERROR
    error = json.loads(result.stdout)["error"]
    assert error["exitCode"] == EXIT_ERROR and "unknown stack 'nope'" in error["message"]


def test_an_unreachable_api_fails_fast(project: Project, closed_port: int) -> None:
    project.write_stack("test", **{"thena:apiUrl": f"http://127.0.0.1:{closed_port}"})
    started = time.monotonic()
    result = project.run("plan", "--stack", "test")
    assert time.monotonic() - started < 5
    assert result.exit_code == EXIT_ERROR
    assert f"error: cannot reach the Thena API at http://127.0.0.1:{closed_port}" in result.stderr
    assert "check thena:apiUrl of stacks/Pulumi.test.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_a_bad_key_is_rejected_and_never_shown(project: Project) -> None:
    project.write_stack("test", **{"thena:apiKey": "not-the-key-0815"})
    result = project.run("plan", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    assert "rejected the API key (401)" in result.stderr
    assert "not-the-key-0815" not in result.output


def test_retain_on_delete_is_no_change_to_the_org(project: Project) -> None:
    project.deploy()
    (project.workflows / "slack-alert.yaml").unlink()
    project.write_stack("test", **{"thena-workflows:retainOnDelete": True})
    code, report = _plan(project)
    assert code == EXIT_OK, report
    assert _actions(report) == {"escalation-note": "unchanged", "slack-alert": "retain"}
    assert "keeps it in Thena" in report["items"][1]["note"]
    result = project.run("plan", "--stack", "test")
    assert "Plan: no differences; 1 unchanged; 1 retained; 0 unmanaged." in result.stdout
