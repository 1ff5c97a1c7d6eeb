"""``thena-workflows pulumi-env`` and the local stack: a large stack runs without checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pulumi_thena.cli.local import local_environment
from pulumi_thena.definitions.checkpoints import LARGE_STACK, SKIP_CHECKPOINTS, checkpoint_choice
from pulumi_thena.definitions.project import Project as CliProject
from tests.cli.conftest import ALERT, Project


def _grow(project: Project, total: int) -> None:
    """Files up to ``total`` in the project (it starts with two)."""
    for index in range(total - 2):
        project.write(f"alert-{index:04d}", ALERT.replace("Slack alert", f"Alert {index}"))


@pytest.mark.parametrize(
    ("workflows", "environ", "expected"),
    [
        (LARGE_STACK - 1, {}, {}),
        (LARGE_STACK, {}, {SKIP_CHECKPOINTS: "true"}),
        (5000, {SKIP_CHECKPOINTS: "false"}, {}),  # the user's choice stands
        (1, {SKIP_CHECKPOINTS: "true"}, {}),  # set already: nothing to add
    ],
)
def test_the_choice_follows_the_stack_size_unless_the_user_chose(
    workflows: int, environ: dict[str, str], expected: dict[str, str]
) -> None:
    choice = checkpoint_choice("prod", workflows, environ)
    assert choice.environment == expected
    assert "prod" in choice.reason or SKIP_CHECKPOINTS in choice.reason


def test_a_small_stack_prints_nothing_to_append(project: Project) -> None:
    result = project.run("pulumi-env", "--stack", "test")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "deploys 2 workflow(s)" in result.stderr


def test_a_large_stack_prints_the_line_a_pipeline_appends(project: Project, tmp_path: Path) -> None:
    _grow(project, LARGE_STACK)
    result = project.run("pulumi-env", "--stack", "test")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{SKIP_CHECKPOINTS}=true"]
    assert f"deploys {LARGE_STACK} workflow(s)" in result.stderr
    as_json = json.loads(project.run("--json", "pulumi-env", "--stack", "test").stdout)
    assert as_json["environment"] == {SKIP_CHECKPOINTS: "true"}


def test_the_stack_s_selection_counts_not_the_directory(project: Project) -> None:
    _grow(project, LARGE_STACK + 5)
    project.write_stack("test", **{"thena-workflows:include": ["slack-alert"]})
    result = project.run("pulumi-env", "--stack", "test")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "deploys 1 workflow(s)" in result.stderr


def test_a_bad_stack_file_is_an_error_that_names_the_setting(project: Project) -> None:
    project.write_stack("test", **{"thena-workflows:include": ["no-such-file"]})
    result = project.run("pulumi-env", "--stack", "test")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "stacks/Pulumi.test.yaml" in result.stderr and "no-such-file" in result.stderr


def test_the_local_stack_skips_checkpoints_when_large(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SKIP_CHECKPOINTS, raising=False)
    project.write_stack("local")
    cli_project = CliProject.at(project.root)
    pulumi = tmp_path / "bin" / "pulumi"
    assert SKIP_CHECKPOINTS not in local_environment(cli_project, pulumi)
    _grow(project, LARGE_STACK)
    assert local_environment(cli_project, pulumi)[SKIP_CHECKPOINTS] == "true"
