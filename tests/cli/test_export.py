"""``export``: live workflows as definition files; the export -> plan round trip shows nothing."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from pulumi_thena.definitions.yamlfile import YamlDocument, read_yaml
from pulumi_thena.diff import OWNER_METADATA_KEY
from tests.cli.conftest import VARIABLES, Project, seed_workflow


def _hand_built(project: Project) -> None:
    """Two workflows built by hand in Thena, using the stack's environment values."""
    seed_workflow(
        project.emulator,
        name="Escalation note",
        triggerEvent="D0DN56NJ10C3RJJG1TGR3D86HM0S3",  # ticket:escalated, by uid
        metadata={"runbook": "https://wiki.example.com/${not-a-placeholder}"},
        filters={"ticket.priority": {"~in": ["high", "urgent"]}},
        annotations=[
            {
                "entityType": "Ticket",
                "requiredFields": {"ticketId": "{{context.event.message.payload.ticketId}}"},
                "relations": ["account"],
                "pathToAnnotate": "context.event.message.payload.ticket",
            }
        ],
        workflowDefinition=[
            {
                "stepIdentifier": 2,
                "dependencies": ["1"],
                "activity": {"uniqueIdentifier": "slack:send-message"},
                "input": {"channel": "#test-alerts", "text": "line one\nline two"},
                "onFailure": "ABORT",
            },
            {
                "stepIdentifier": 1,
                "activity": {
                    "uniqueIdentifier": "tickets:add-comment-platform",
                    "autoUpgradeToLatestVersion": False,
                    "version": 2,
                },
                "input": {"ticketId": "{{context.event.message.payload.ticketId}}"},
                "retryPolicy": {"maximumAttempts": 3},
            },
        ],
    )
    seed_workflow(project.emulator, name="Slack alert", isActive=False)


def _vars_file(tmp_path: Path) -> Path:
    path = tmp_path / "vars.yaml"
    path.write_text(yaml.safe_dump(VARIABLES))
    return path


def _empty_workflows(project: Project) -> None:
    for path in project.workflows.iterdir():
        path.unlink()


def test_export_then_plan_shows_no_differences(project: Project, tmp_path: Path) -> None:
    _hand_built(project)
    _empty_workflows(project)
    exported = project.run(
        "export", "--out", str(project.workflows), "--stack", "test",
        "--vars", str(_vars_file(tmp_path)),
    )  # fmt: skip
    assert exported.exit_code == EXIT_OK, exported.output
    result = project.run("plan", "--stack", "test", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == EXIT_OK, report
    assert {item["action"] for item in report["items"]} == {"unchanged"}
    assert {item["matchedBy"] for item in report["items"]} == {"name"}
    assert report["unmanaged"] == []


def test_files_are_short_and_in_the_repository_format(project: Project, tmp_path: Path) -> None:
    _hand_built(project)
    out = project.root / "stacks" / "workflows"
    _empty_workflows(project)
    project.run("export", "--out", str(out), "--stack", "test", "--vars", str(_vars_file(tmp_path)))
    text = (out / "escalation-note.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../workflow.schema.json\n")
    document = read_yaml(out / "escalation-note.yaml", "x")
    assert isinstance(document, YamlDocument)
    data = document.data
    assert data["triggerEvent"] == "ticket:escalated"
    assert data["executingAgent"] == "${var.agent}" and data["teamId"] == "${var.team}"
    assert data["adoptExisting"] is True
    assert data["metadata"] == {"runbook": "https://wiki.example.com/$${not-a-placeholder}"}
    for server_field in ("uid", "uniqueIdentifier", "version", "createdAt", "createdBy"):
        assert server_field not in data
    steps = data["workflowDefinition"]
    assert [step["stepIdentifier"] for step in steps] == [1, 2]
    assert "onFailure" not in steps[1] and "isSleepActivity" not in steps[1]
    assert steps[1]["input"] == {"channel": "${var.channel}", "text": "line one\nline two"}
    assert 'dependencies: ["1"]' in text and "text: |-" in text
    assert "ticket.priority: {~in: [high, urgent]}" in text
    alert = read_yaml(out / "slack-alert.yaml", "y")
    assert isinstance(alert, YamlDocument) and alert.data["isActive"] is False


def test_owner_markers_are_dropped_and_names_made_unique(project: Project, tmp_path: Path) -> None:
    seed_workflow(project.emulator, name="Same name")
    seed_workflow(project.emulator, name="Same name", teamId="other",
                  metadata={OWNER_METADATA_KEY: "p/s/r", "keep": "me"})  # fmt: skip
    out = tmp_path / "out"
    result = project.run("export", "--out", str(out), "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK
    report = json.loads(result.stdout)
    assert sorted(f["file"] for f in report["files"]) == ["same-name-2.yaml", "same-name.yaml"]
    assert set(report["files"][0]) == {
        "file", "name", "uniqueIdentifier", "variables", "secrets", "problems",
    }  # fmt: skip
    texts = [(out / name).read_text() for name in ("same-name.yaml", "same-name-2.yaml")]
    assert all(OWNER_METADATA_KEY not in text for text in texts)
    assert any("keep: me" in text for text in texts)


def test_existing_files_are_not_overwritten(project: Project, tmp_path: Path) -> None:
    seed_workflow(project.emulator, name="Slack alert")
    result = project.run("export", "--out", str(project.workflows), "--stack", "test", "--json")
    assert [f["file"] for f in json.loads(result.stdout)["files"]] == ["slack-alert-2.yaml"]
    overwritten = project.run(
        "export", "--out", str(project.workflows), "--stack", "test", "--overwrite", "--json"
    )
    assert [f["file"] for f in json.loads(overwritten.stdout)["files"]] == ["slack-alert.yaml"]


def test_unmanaged_only_and_team_filter(project: Project, tmp_path: Path) -> None:
    project.deploy()
    seed_workflow(project.emulator, name="Mine", teamId="team-test")
    seed_workflow(project.emulator, name="Theirs", teamId="other")
    result = project.run(
        "export", "--out", str(tmp_path / "o"), "--stack", "test", "--unmanaged-only",
        "--team", "team-test", "--json",
    )  # fmt: skip
    assert [f["name"] for f in json.loads(result.stdout)["files"]] == ["Mine"]


def test_a_bad_vars_file_is_an_error(project: Project, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: same\nb: same\ncount: 3\n")
    result = project.run(
        "export", "--out", str(tmp_path / "o"), "--stack", "test", "--vars", str(bad)
    )
    assert result.exit_code == EXIT_ERROR
    assert "b and a have the same value; keep one" in result.stderr
    assert not (tmp_path / "o").exists()


def test_non_string_variables_are_skipped_with_a_warning(project: Project, tmp_path: Path) -> None:
    result = project.run(
        "export", "--out", str(tmp_path / "o"), "--stack", "test",
        "--vars", str(_vars_file(tmp_path)),
    )  # fmt: skip
    assert result.exit_code == EXIT_OK
    assert "warning:" in result.stderr
    assert "attempts is not a non-empty string; only strings are used" in result.stderr


def test_export_needs_a_key(project: Project, tmp_path: Path) -> None:
    result = project.run("export", "--out", str(tmp_path / "o"))
    assert result.exit_code == EXIT_ERROR
    assert "error: no Thena API key: set THENA_API_KEY" in result.stderr


def test_secret_inputs_become_secret_placeholders_and_are_never_written(
    project: Project, tmp_path: Path
) -> None:
    token, bearer = "tok-9f8e7d6c", "Bearer s3cr3t-b34r3r"
    seed_workflow(
        project.emulator,
        name="Webhook report",
        workflowDefinition=[
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "slack:send-message"},
                "input": {
                    "channel": "#test-alerts",
                    "apiToken": token,
                    "headers": {"Authorization": bearer, "Accept": "application/json"},
                },
            }
        ],
    )
    _empty_workflows(project)
    result = project.run("export", "--out", str(project.workflows), "--stack", "test")
    assert result.exit_code == EXIT_OK, result.output
    text = (project.workflows / "webhook-report.yaml").read_text()
    assert token not in text and "s3cr3t" not in text
    assert "apiToken: ${secret.webhookReportApiToken}" in text
    assert "Authorization: ${secret.webhookReportAuthorization}" in text
    assert "Accept: application/json" in text
    assert token not in result.output and "s3cr3t" not in result.output
    command = "pulumi config set --secret --path 'thena-workflows:secrets.webhookReportApiToken'"
    assert command in result.output
    report = json.loads(
        project.run("export", "--out", str(tmp_path), "--stack", "test", "--json").stdout
    )
    assert report["files"][0]["secrets"] == [
        {"name": "webhookReportApiToken", "path": "workflowDefinition[0].input.apiToken"},
        {
            "name": "webhookReportAuthorization",
            "path": "workflowDefinition[0].input.headers.Authorization",
        },
    ]
    # Once the stack declares them (encrypted), the round trip shows no differences.
    names = ("webhookReportApiToken", "webhookReportAuthorization")
    secrets = {name: {"secure": "v1:not-decryptable-here"} for name in names}
    project.write_stack("test", **{"thena-workflows:secrets": secrets})
    plan = project.run("plan", "--stack", "test")
    assert plan.exit_code == EXIT_OK, plan.output
