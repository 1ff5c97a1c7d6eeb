"""``thena-workflows graph``: files and stems, stacks, formats, secrets, errors and exit codes."""

from __future__ import annotations

import html
import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli
from tests.review.conftest import HOSTILE_NAME
from tests.review.tools import REPO, require_dot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SECRET_SLEEP = """\
name: Secret sleep
triggerEvent: ticket:created
executingAgent: ${var.agent}
workflowDefinition:
  - stepIdentifier: 1
    isSleepActivity: true
    activity: { uniqueIdentifier: "workflows:sleep-platform" }
    input:
      duration: ${secret.pause}
      note: "token ${secret.pause} here"
    retryPolicy: { maximumAttempts: "${var.attempts}" }
"""


def run(*args: str, project: Path = REPO, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--project-dir", str(project), *args], env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of this repository's project (stacks and definition files)."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks" / "workflows", root / "stacks" / "workflows")
    for stack in REPO.glob("stacks/Pulumi.*.yaml"):
        shutil.copy(stack, root / "stacks" / stack.name)
    return root


def _stack(root: Path, name: str, config: dict[str, object]) -> None:
    path = root / "stacks" / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}), encoding="utf-8")


def test_a_stem_prints_mermaid() -> None:
    result = run("graph", "sla-breach-approval")
    assert result.exit_code == EXIT_OK, result.output
    assert "flowchart TD" in result.stdout
    assert "approval: USER #36;#123;var.supportManagerId#125;" in result.stdout


def test_a_path_outside_the_workflows_folder(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    shutil.copy(REPO / "stacks" / "workflows" / "urgent-ticket-escalation.yaml", path)
    result = run("graph", str(path), "--format", "dot")
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.startswith("digraph workflow {")


def test_with_a_stack_its_variables_fill_the_placeholders() -> None:
    without = run("graph", "urgent-ticket-escalation", "--json")
    with_stack = run("graph", "urgent-ticket-escalation", "--stack", "local", "--json")
    assert "retry: ${var.slackRetryAttempts} attempts," in json.loads(without.stdout)["dot"]
    assert "retry: 2 attempts," in json.loads(with_stack.stdout)["dot"]


def test_json_has_both_sources_and_what_was_drawn() -> None:
    result = run("graph", "nightly-stale-ticket-sweep", "--stack", "local", "--json")
    assert result.exit_code == EXIT_OK, result.output
    data = json.loads(result.stdout)
    assert data["file"] == "stacks/workflows/nightly-stale-ticket-sweep.yaml"
    assert data["workflow"] == "Nightly stale-ticket sweep"
    assert data["stack"] == "local"
    assert data["mermaid"].splitlines()[5] == "flowchart TD"
    assert data["dot"].startswith("digraph workflow {")


@pytest.mark.parametrize("use_stack", [False, True])
def test_secrets_always_show_as_secret(project: Path, use_stack: bool) -> None:
    (project / "stacks" / "workflows" / "secret-sleep.yaml").write_text(SECRET_SLEEP)
    _stack(
        project,
        "clear",
        {
            "thena:apiUrl": "http://127.0.0.1:1",
            "thena-workflows:vars": {"agent": "bot", "attempts": 3},
            "thena-workflows:secrets": {"pause": "hunter2-clear-secret"},
            "thena-workflows:include": ["secret-sleep"],
        },
    )
    args = ["graph", "secret-sleep", "--json"] + (["--stack", "clear"] if use_stack else [])
    result = run(*args, project=project)
    assert result.exit_code == EXIT_OK, result.output
    assert "hunter2" not in result.stdout
    assert "pause" not in result.stdout  # not even the name of the secret
    data = json.loads(result.stdout)
    assert "sleep: duration [secret], note [secret]" in html.unescape(data["dot"])
    attempts = "3 attempts" if use_stack else "${var.attempts} attempts"
    assert f"retry: {attempts}" in data["dot"]


def test_a_hostile_name_is_text_in_every_format(project: Path) -> None:
    definition = yaml.safe_load(
        (REPO / "stacks" / "workflows" / "sla-breach-approval.yaml").read_text()
    )
    definition["name"] = HOSTILE_NAME
    (project / "stacks" / "workflows" / "hostile.yaml").write_text(yaml.safe_dump(definition))
    data = json.loads(run("graph", "hostile", "--json", project=project).stdout)
    first = data["mermaid"].split("workflow(")[1].split("\n")[0]
    assert first.startswith('"') and first.endswith('")')
    assert '"' not in first[1:-2] and "%%" not in first and "`" not in first and "<!--" not in first
    assert "<!--" not in data["dot"] and '"]' not in data["dot"].split("label=<")[1].split(">,")[0]


def test_out_takes_its_format_from_the_suffix(tmp_path: Path) -> None:
    require_dot()
    for suffix, starts in ((".svg", b"<?xml"), (".png", PNG_MAGIC), (".dot", b"digraph")):
        out = tmp_path / f"diagram{suffix}"
        result = run("graph", "vip-account-onboarding", "--out", str(out))
        assert result.exit_code == EXIT_OK, result.output
        assert out.read_bytes().startswith(starts)
        assert result.stdout == f"wrote {out} ({suffix[1:]}) for " + (
            "stacks/workflows/vip-account-onboarding.yaml\n"
        )
    mermaid = tmp_path / "diagram.mmd"
    run("graph", "vip-account-onboarding", "--out", str(mermaid), "--format", "mermaid")
    assert "flowchart TD" in mermaid.read_text()


def test_png_goes_to_stdout_when_it_is_not_a_terminal() -> None:
    require_dot()
    result = run("graph", "vip-account-onboarding", "--format", "png")
    assert result.exit_code == EXIT_OK
    assert result.stdout_bytes.startswith(PNG_MAGIC)


def test_an_unknown_name_says_which_exist() -> None:
    result = run("graph", "sla-breach-aproval")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("error: sla-breach-aproval: no such file")
    assert "did you mean 'sla-breach-approval'?" in result.stderr


def test_a_file_with_problems_lists_them(project: Path) -> None:
    broken = textwrap.dedent(
        """\
        name: Broken
        triggerEvent: ticket:created
        executingAgent: bot
        workflowDefinition:
          - stepIdentifier: 1
            dependencies: ["9"]
            activity: { uniqueIdentifier: x }
        """
    )
    (project / "stacks" / "workflows" / "broken.yaml").write_text(broken)
    result = run("graph", "broken", project=project)
    assert result.exit_code == EXIT_ERROR
    assert "stacks/workflows/broken.yaml: workflowDefinition[0].dependencies[0]:" in result.stderr
    assert "1 problem found" in result.stderr


def test_a_workflow_the_stack_leaves_out_is_an_error() -> None:
    result = run("graph", "comment-mirror-webhook", "--stack", "prod")
    assert result.exit_code == EXIT_ERROR
    assert "stack 'prod' does not deploy this workflow" in result.stderr


def test_an_unknown_stack_is_an_error() -> None:
    result = run("graph", "sla-breach-approval", "--stack", "qa")
    assert result.exit_code == EXIT_ERROR
    assert "unknown stack 'qa'" in result.stderr


def test_without_graphviz_svg_and_png_fail_with_what_to_install(tmp_path: Path) -> None:
    result = run(
        "graph",
        "sla-breach-approval",
        "--out",
        str(tmp_path / "x.svg"),
        env={"THENA_DOT": "no-such-dot-program"},
    )
    assert result.exit_code == EXIT_ERROR
    assert "Graphviz's `dot` was not found" in result.stderr
    assert "apt-get install graphviz" in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_an_unwritable_out_is_an_error(tmp_path: Path) -> None:
    result = run("graph", "sla-breach-approval", "--out", str(tmp_path / "no" / "x.dot"))
    assert result.exit_code == EXIT_ERROR
    assert "cannot write" in result.stderr


@pytest.mark.parametrize(
    "args",
    [("graph",), ("graph", "sla-breach-approval", "--format", "jpeg"), ("graph", "a", "b")],
)
def test_usage_errors_exit_64(args: tuple[str, ...]) -> None:
    assert run(*args).exit_code == EXIT_USAGE


def test_help_states_the_exit_codes() -> None:
    result = run("graph", "--help")
    assert result.exit_code == EXIT_OK
    assert "Exit codes: 0 drawn, 1 error" in result.stdout
    assert "64 usage error" in result.stdout
