"""The command line as a whole: exit codes, usage errors (64), credentials, a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli
from pulumi_thena.cli.credentials import stack_key_variable
from pulumi_thena.definitions.project import find_project_dir
from tests.cli.conftest import Project

SCRIPT = Path(sys.executable).parent / "thena-workflows"


def test_usage_errors_exit_64(project: Project) -> None:
    for args in (["plan"], ["plan", "--stack", "test", "--bogus"], ["nope"],
                 ["runs", "x", "--status", "DONE"], ["--retries", "-1", "plan"]):  # fmt: skip
        result = project.run(*args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "Error:" in result.stderr


def test_no_command_prints_help_and_exits_64() -> None:
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == EXIT_USAGE
    assert "Commands:" in result.stdout and "Exit codes:" in result.stdout


def test_help_exits_0() -> None:
    result = CliRunner().invoke(cli, ["plan", "--help"])
    assert result.exit_code == EXIT_OK
    assert "--stack" in result.stdout


def test_global_options_may_follow_the_command(project: Project) -> None:
    result = CliRunner().invoke(
        cli, ["validate", "--project-dir", str(project.root), "--json", "--no-progress"]
    )
    assert result.exit_code == EXIT_OK
    assert json.loads(result.stdout)["valid"] is True


def test_the_project_is_found_upward(project: Project) -> None:
    assert find_project_dir(project.workflows) == project.root.resolve()


def test_environment_credentials_without_a_stack(project: Project) -> None:
    env = {"THENA_API_URL": project.emulator.base_url, "THENA_API_KEY": "wrong-env-key-77"}
    result = project.run("doctor", env=env)
    assert result.exit_code == EXIT_ERROR
    assert "rejected the API key (401); check THENA_API_KEY" in result.stderr
    assert "wrong-env-key-77" not in result.output


def test_stack_key_variable_names() -> None:
    assert stack_key_variable("prod") == "THENA_API_KEY_PROD"
    assert stack_key_variable("eu-west.2") == "THENA_API_KEY_EU_WEST_2"


def test_the_console_script_runs() -> None:
    done = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == EXIT_OK
    assert "thena-workflows" in done.stdout
    bad = subprocess.run([SCRIPT, "plan", "--frobnicate"], capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert bad.returncode == EXIT_USAGE
    assert "No such option '--frobnicate'" in bad.stderr


def test_the_emulator_command_serves_until_terminated() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [SCRIPT, "emulator", "--port", "0"], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        assert "Thena emulator listening on http://127.0.0.1:" in banner
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == EXIT_OK
    finally:
        if server.poll() is None:
            server.kill()


def test_the_emulator_command_reports_a_taken_port(project: Project) -> None:
    port = project.emulator.base_url.rsplit(":", 1)[1]
    result = CliRunner().invoke(cli, ["emulator", "--port", port])
    assert result.exit_code == EXIT_ERROR


COMMANDS_WITH_A_STACK = [
    ["validate", "--online", "--stack", "{stack}"],
    ["plan", "--stack", "{stack}"],
    ["export", "--out", "{out}", "--stack", "{stack}"],
    ["diff-envs", "--from", "{stack}", "--to", "{stack}"],
    ["runs", "escalation-note", "--stack", "{stack}"],
    ["doctor", "--stack", "{stack}"],
]


def _args(template: list[str], stack: str, out: Path) -> list[str]:
    return [part.format(stack=stack, out=out) for part in template]


@pytest.mark.parametrize("template", COMMANDS_WITH_A_STACK, ids=lambda t: t[0])
def test_every_command_reports_an_unreachable_api_in_one_line(
    project: Project, closed_port: int, tmp_path: Path, template: list[str]
) -> None:
    project.write_stack("down", **{"thena:apiUrl": f"http://127.0.0.1:{closed_port}"})
    result = project.run(*_args(template, "down", tmp_path / "out"))
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stderr.startswith("error: cannot reach the Thena API at http://127.0.0.1:")
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("template", COMMANDS_WITH_A_STACK, ids=lambda t: t[0])
def test_every_command_names_an_unknown_stack(
    project: Project, tmp_path: Path, template: list[str]
) -> None:
    result = project.run(*_args(template, "nope", tmp_path / "out"))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("error: unknown stack 'nope'")


def test_the_command_list_fits_and_each_command_states_its_exit_codes() -> None:
    from click.testing import CliRunner

    from pulumi_thena.cli import cli

    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"], env={"COLUMNS": "80"}).stdout
    commands = listing.split("Commands:", 1)[1].split("\n\n", 1)[0].splitlines()
    assert commands and not [line for line in commands if line.rstrip().endswith("...")]
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        shown = runner.invoke(cli, [name, "--help"], env={"COLUMNS": "200"}).stdout
        assert "Exit codes:" in shown, name
