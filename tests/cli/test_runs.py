"""``runs``: recent executions of a workflow and their tasks, from seeded executions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from pulumi_thena.cli.runs import parse_duration
from tests.cli.conftest import Project, seed_workflow

NOW = datetime.now(UTC)


def _seed_runs(project: Project, workflow_id: str) -> None:
    project.emulator.control.seed(
        executions=[
            {
                "id": "run-recent",
                "workflowId": workflow_id,
                "status": "FINISHED",
                "startedAt": (NOW - timedelta(hours=1)).isoformat(),
                "lastUpdatedAt": (NOW - timedelta(hours=1) + timedelta(seconds=4)).isoformat(),
                "tasks": [
                    {"stepIdentifier": 1, "activity": "tickets:add-comment-platform",
                     "executionTime": 1.5},
                    {"stepIdentifier": 2, "activity": "slack:send-message", "executionTime": 0.5},
                ],
            },
            {
                "id": "run-old",
                "workflowId": workflow_id,
                "status": "FAILED",
                "startedAt": (NOW - timedelta(days=3)).isoformat(),
                "tasks": [
                    {"stepIdentifier": 2, "activity": "slack:send-message", "status": "FAILED"},
                    {"stepIdentifier": 2, "activity": "slack:send-message", "status": "FAILED",
                     "isRetry": True},
                    {"stepIdentifier": 1, "activity": "tickets:add-comment-platform",
                     "isCompensation": True},
                ],
            },
        ]
    )  # fmt: skip


@pytest.fixture
def deployed(project: Project) -> str:
    workflow_id = project.deploy()["escalation-note"]
    _seed_runs(project, workflow_id)
    return workflow_id


def test_runs_of_a_file_stem(project: Project, deployed: str) -> None:
    result = project.run("runs", "escalation-note", "--stack", "test")
    assert result.exit_code == EXIT_OK, result.output
    assert f"Executions of 'Escalation note' ({deployed})" in result.stdout
    lines = result.stdout.splitlines()
    recent = next(line for line in lines if "run-recent" in line)
    assert "FINISHED" in recent and "4.0s" in recent
    assert "FAILED" in next(line for line in lines if "run-old" in line)


def test_tasks_show_retries_and_compensation(project: Project, deployed: str) -> None:
    result = project.run("runs", "Escalation note", "--tasks", "--status", "failed")
    assert result.exit_code == EXIT_ERROR  # no key without --stack
    env = {"THENA_API_URL": project.emulator.base_url, "THENA_API_KEY": project.emulator.api_key}
    result = project.run("runs", "Escalation note", "--tasks", "--status", "failed", env=env)
    assert result.exit_code == EXIT_OK, result.output
    assert "run-recent" not in result.stdout
    assert "Tasks of run-old" in result.stdout
    rows = [line for line in result.stdout.splitlines() if "slack:send-message" in line]
    assert any("retry" in row for row in rows)
    assert any("compensation" in line for line in result.stdout.splitlines())


def test_since_limits_the_window(project: Project, deployed: str) -> None:
    result = project.run("runs", deployed, "--stack", "test", "--since", "24h", "--json")
    report = json.loads(result.stdout)
    assert [run["id"] for run in report["executions"]] == ["run-recent"]


def test_json_shape_with_tasks(project: Project, deployed: str) -> None:
    result = project.run("runs", "escalation-note", "--stack", "test", "--tasks", "--json")
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["workflow"]["uniqueIdentifier"] == deployed
    assert report["workflow"]["owner"] == "thena-workflows/test/escalation-note"
    recent = report["executions"][0]
    assert recent["status"] == "FINISHED" and recent["durationSeconds"] == 4.0
    assert [t["stepIdentifier"] for t in recent["tasks"]] == [1, 2]
    assert {"isRetry", "isCompensation", "executionTime", "status"} <= set(recent["tasks"][0])


def test_no_runs_is_not_an_error(project: Project) -> None:
    project.deploy()
    result = project.run("runs", "slack-alert", "--stack", "test")
    assert result.exit_code == EXIT_OK
    assert "none in this window" in result.stdout


def test_unknown_workflow_suggests_the_closest(project: Project, deployed: str) -> None:
    result = project.run("runs", "Escalation nte", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    assert "did you mean 'Escalation note'?" in result.stderr


def test_ambiguous_names_ask_for_more(project: Project) -> None:
    seed_workflow(project.emulator, name="Twin")
    seed_workflow(project.emulator, name="Twin")
    result = project.run("runs", "Twin", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    assert "'Twin' names 2 workflows" in result.stderr


def test_a_bad_duration_is_a_usage_error(project: Project) -> None:
    result = project.run("runs", "x", "--since", "3 fortnights")
    assert result.exit_code == EXIT_USAGE
    assert "is not a duration; write e.g. 30m, 24h or 7d" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30m", timedelta(minutes=30)), ("24h", timedelta(hours=24)), ("7d", timedelta(days=7)),
     ("1h30m", timedelta(minutes=90)), ("2w", timedelta(weeks=2))],
)  # fmt: skip
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "1.5h", "7 d", "-1h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)
